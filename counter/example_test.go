package counter_test

import (
	"fmt"
	"os"
	"time"

	_ "github.com/lockbench/lockbench/counter"
	"github.com/lockbench/lockbench/kernel"
)

// The tutorial's session, in Go: insmod, echo I and D into /proc/counter,
// cat it, lsmod, rmmod, dmesg.
func Example() {
	tick := time.Duration(0)
	k := kernel.New(kernel.WithClock(func() time.Duration { tick += 1500 * time.Microsecond; return tick }))

	if err := k.Insmod("counter", "lock=ticket"); err != nil {
		fmt.Println(err)
		return
	}
	for _, cmd := range []string{"I\n", "I\n", "D\n", "I\n"} {
		_ = k.WriteFile("/proc/counter", []byte(cmd)) // echo I > /proc/counter
	}
	if err := k.WriteFile("/proc/counter", []byte("X\n")); err != nil {
		fmt.Println(err)
	}
	value, _ := k.ReadFile("/proc/counter") // cat /proc/counter
	fmt.Print("counter: ", string(value))

	for _, m := range k.Lsmod() {
		fmt.Println(m.Name, m.Params["lock"], m.State)
	}

	f, _ := k.Open("/proc/counter", os.O_WRONLY)
	_ = k.Rmmod("counter")
	_, err := f.Write([]byte("I"))
	fmt.Println(err)

	for _, line := range k.Dmesg() {
		fmt.Println(line)
	}
	// Output:
	// write /proc/counter: invalid argument
	// counter: 2
	// counter ticket Live
	// write /proc/counter: input/output error
	// [    0.001500] Linux version lockbench (simulated kernel)
	// [    0.003000] counter: loaded, lock=ticket
	// [    0.004500] counter: unloaded, lock=ticket, final value 2
}
