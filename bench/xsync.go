package bench

import (
	"time"

	"github.com/puzpuzpuz/xsync/v4"

	"github.com/lockbench/lockbench/counter"
	"github.com/lockbench/lockbench/internal/work"
)

// xsync is a benchmark-only baseline guard: github.com/puzpuzpuz/xsync's
// striped Counter, the best-known Go peer of the counter's sharded guard.
// It is not a counter module guard, so only the direct path offers it.
func init() {
	counter.RegisterStore("xsync", "github.com/puzpuzpuz/xsync's striped Counter: the Go peer of sharded (path=direct only)",
		true, true, func(cs time.Duration) counter.Store {
			return &xsyncStore{c: xsync.NewCounter(), csSteps: work.Steps(cs)}
		})
}

// xsyncStore is an xsync.Counter as a counter's store; like atomic and
// sharded it does the critical-section work before its update.
type xsyncStore struct {
	c       *xsync.Counter
	csSteps int
}

func (s *xsyncStore) Add(delta int64) {
	if s.csSteps > 0 {
		work.Spin(s.csSteps)
	}
	s.c.Add(delta)
}

func (s *xsyncStore) Load() int64 { return s.c.Value() }
