// Package work is calibrated busy work: loops of a known length that the
// compiler cannot remove, for critical sections and think time.
package work

import (
	"sync"
	"sync/atomic"
	"time"
)

// sink keeps Spin's result alive.
var sink atomic.Uint64

// Spin does n steps of a dependent multiply-add chain. Each step waits for
// the previous one, so the loop's length is set by the multiplier's latency
// and does not shrink when the CPU has spare execution units.
func Spin(n int) {
	x := uint64(n) | 1
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	if x == 0 { // never true for odd x; the compiler cannot know that
		sink.Store(x)
	}
}

var calibration struct {
	once      sync.Once
	nsPerStep float64
}

// Steps returns how many Spin steps last about d on this machine. The speed
// of Spin is measured once per process (a few milliseconds) and reused.
func Steps(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	calibration.once.Do(calibrate)
	n := int(float64(d.Nanoseconds())/calibration.nsPerStep + 0.5)
	return max(n, 1)
}

// calibrate times Spin and keeps the fastest of several rounds: the slower
// ones were interrupted.
func calibrate() {
	const steps = 200_000
	best := time.Duration(1<<63 - 1)
	for range 10 {
		start := time.Now()
		Spin(steps)
		best = min(best, time.Since(start))
	}
	calibration.nsPerStep = max(float64(best.Nanoseconds())/steps, 0.01)
}
