package units

import "testing"

func TestBetter(t *testing.T) {
	for unit, want := range map[string]string{
		"ns/op": Lower, "sec/op": Lower, "B/op": Lower, "allocs/op": Lower,
		"ops/s": Higher, "fairness": Higher, "max/min": Lower,
		"p99-ns": Lower, "p99-sec": Lower, "interference": Lower, "speed": Higher,
		"furlongs/fortnight": "",
	} {
		if got := Better(unit); got != want {
			t.Errorf("Better(%q) = %q, want %q", unit, got, want)
		}
	}
}
