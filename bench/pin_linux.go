package bench

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// pinThread binds the calling goroutine to its OS thread and that thread to
// cpu, for the rest of the goroutine's life: it returns locked, so that the
// thread exits with the goroutine (the runtime never reuses a thread still
// locked when its goroutine ends) and no other goroutine inherits the
// affinity.
//
// A locked thread changes what blocking costs: a parked goroutine takes its
// thread to sleep and its wake-up is a futex wake of that thread, not a
// goroutine switch on a running one. That is why pinning is only ever
// offered where every goroutine has a CPU of its own (g ≤ usable CPUs).
func pinThread(cpu int) error {
	runtime.LockOSThread()
	var set unix.CPUSet
	set.Set(cpu)
	return unix.SchedSetaffinity(0, &set)
}

// usableCPUs returns the CPUs this process may run on, in order.
func usableCPUs() []int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil
	}
	var cpus []int
	for cpu := 0; len(cpus) < set.Count(); cpu++ {
		if set.IsSet(cpu) {
			cpus = append(cpus, cpu)
		}
	}
	return cpus
}
