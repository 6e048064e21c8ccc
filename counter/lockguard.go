package counter

import (
	"sync/atomic"

	"github.com/lockbench/lockbench/internal/cacheline"
	"github.com/lockbench/lockbench/internal/work"
	"github.com/lockbench/lockbench/locks"
)

// lockGuard keeps a plain int64 under a lock, as the tutorial's module keeps
// its counter under a kernel mutex.
type lockGuard struct {
	lock    locks.Lock // its own padded allocation
	csSteps int        // busy work while holding the lock
	_       cacheline.Pad
	value   int64         // guarded by lock
	_       cacheline.Pad // prevents false sharing with neighbouring allocations
}

func (g *lockGuard) Add(delta int64) {
	g.lock.Lock()
	g.value += delta
	if g.csSteps > 0 {
		work.Spin(g.csSteps)
	}
	g.lock.Unlock()
}

func (g *lockGuard) Load() int64 {
	g.lock.Lock()
	v := g.value
	if g.csSteps > 0 {
		work.Spin(g.csSteps)
	}
	g.lock.Unlock()
	return v
}

// brokenLockGuard is lockGuard for a deliberately broken lock: the same
// read-modify-write, but as an atomic load and a separate atomic store, so
// that overlapping holders lose updates without a data race that would stop
// a -race run before the loss is counted.
type brokenLockGuard struct {
	lock    locks.Lock
	csSteps int
	_       cacheline.Pad
	value   atomic.Int64
	_       cacheline.Pad
}

func (g *brokenLockGuard) Add(delta int64) {
	g.lock.Lock()
	v := g.value.Load()
	if g.csSteps > 0 {
		work.Spin(g.csSteps)
	}
	g.value.Store(v + delta)
	g.lock.Unlock()
}

// Load reads under the read side of a broken reader-writer lock, which
// lets readers meet writers, and under the lock otherwise.
func (g *brokenLockGuard) Load() int64 {
	if rw, ok := g.lock.(locks.RWLock); ok {
		rw.RLock()
		defer rw.RUnlock()
		return g.value.Load()
	}
	g.lock.Lock()
	v := g.value.Load()
	g.lock.Unlock()
	return v
}
