package locks_test

import (
	"testing"

	"github.com/lockbench/lockbench/locks"
)

// BenchmarkStatsAcquire is what statistics add to every acquisition: the
// per-P count and the hold-sampling decision.
func BenchmarkStatsAcquire(b *testing.B) {
	s := locks.NewStats()
	for range b.N {
		s.Acquire(locks.Writer)
	}
}
