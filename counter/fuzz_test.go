package counter_test

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"github.com/lockbench/lockbench/kernel"
)

// FuzzWrite feeds arbitrary bytes to /proc/counter: nothing panics, "I" and
// "D" (each with an optional newline) move the value by one, and anything
// else is EINVAL and leaves the value unchanged. The corpus lives in
// testdata/fuzz/FuzzWrite.
func FuzzWrite(f *testing.F) {
	for _, s := range []string{"I", "D", "I\n", "D\n", "", "X", "II", "I\n\n", "\x00", "D\r\n"} {
		f.Add([]byte(s))
	}
	k := kernel.New(kernel.WithLogBuffer(16))
	if err := k.Insmod("counter", "lock=ticket"); err != nil {
		f.Fatal(err)
	}
	file, err := k.Open("/proc/counter", os.O_RDWR)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		before := readValue(t, k)
		n, err := file.Write(data)
		after := readValue(t, k)

		var want int64
		switch string(data) {
		case "I", "I\n":
			want = 1
		case "D", "D\n":
			want = -1
		case "":
			if err != nil || n != 0 {
				t.Fatalf("empty write: n=%d err=%v", n, err)
			}
			return
		default:
			if !errors.Is(err, syscall.EINVAL) {
				t.Fatalf("write %q: err = %v, want EINVAL", data, err)
			}
			if after != before {
				t.Fatalf("rejected write %q changed the value %d -> %d", data, before, after)
			}
			return
		}
		if err != nil || n != len(data) {
			t.Fatalf("write %q: n=%d err=%v", data, n, err)
		}
		if after-before != want {
			t.Fatalf("write %q moved the value by %d, want %d", data, after-before, want)
		}
	})
}
