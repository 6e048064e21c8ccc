package counter

import (
	"sync/atomic"

	"github.com/lockbench/lockbench/internal/cacheline"
	"github.com/lockbench/lockbench/internal/work"
	"github.com/lockbench/lockbench/locks"
)

// The read side: a reader-writer lock's reads (cat /proc/counter, a read
// mix's reads) take its read side; a sequence lock's take no lock at all.

// newLockStore keeps the value under l, reading by its read side where it
// has one.
func newLockStore(l locks.Lock, csSteps int) Store {
	switch l := l.(type) {
	case *locks.Seqlock:
		return &seqGuard{lock: l, csSteps: csSteps}
	case locks.TokenRWLock:
		return &tokenGuard{lock: l, csSteps: csSteps}
	case locks.RWLock:
		return &rwGuard{lock: l, csSteps: csSteps}
	}
	return &lockGuard{lock: l, csSteps: csSteps}
}

// rwGuard keeps a plain int64 under a reader-writer lock: writes take the
// write side, reads the read side, so that readers run side by side. Its
// Add repeats lockGuard's on purpose: it is the hot path, and a shared
// helper holding two interface calls and work.Spin is over the inliner's
// budget, a call more per operation.
type rwGuard struct {
	lock    locks.RWLock
	csSteps int
	_       cacheline.Pad
	value   int64 // written under the write lock, read under the read lock
	_       cacheline.Pad
}

func (g *rwGuard) Add(delta int64) {
	g.lock.Lock()
	g.value += delta
	if g.csSteps > 0 {
		work.Spin(g.csSteps)
	}
	g.lock.Unlock()
}

func (g *rwGuard) Load() int64 {
	g.lock.RLock()
	v := g.value
	if g.csSteps > 0 {
		work.Spin(g.csSteps)
	}
	g.lock.RUnlock()
	return v
}

// tokenGuard is rwGuard for a lock whose readers carry a token (BRAVO's
// fast path).
type tokenGuard struct {
	lock    locks.TokenRWLock
	csSteps int
	_       cacheline.Pad
	value   int64 // written under the write lock, read under the read lock
	_       cacheline.Pad
}

func (g *tokenGuard) Add(delta int64) {
	g.lock.Lock()
	g.value += delta
	if g.csSteps > 0 {
		work.Spin(g.csSteps)
	}
	g.lock.Unlock()
}

func (g *tokenGuard) Load() int64 {
	t := g.lock.RLockToken()
	v := g.value
	if g.csSteps > 0 {
		work.Spin(g.csSteps)
	}
	g.lock.RUnlockToken(t)
	return v
}

// seqGuard keeps the value under a sequence lock: writes take the lock, a
// read takes none and reads again if a writer overlapped. The value is an
// atomic, since a read may race with a write (see locks.SequenceLock).
type seqGuard struct {
	lock    *locks.Seqlock // concrete, so that its read side inlines
	csSteps int
	_       cacheline.Pad
	value   atomic.Int64 // written under the lock, read optimistically
	_       cacheline.Pad
}

func (g *seqGuard) Add(delta int64) {
	g.lock.Lock()
	g.value.Store(g.value.Load() + delta)
	if g.csSteps > 0 {
		work.Spin(g.csSteps)
	}
	g.lock.Unlock()
}

func (g *seqGuard) Load() int64 {
	for {
		seq := g.lock.ReadBegin()
		v := g.value.Load()
		if g.csSteps > 0 {
			work.Spin(g.csSteps)
		}
		if !g.lock.ReadRetry(seq) {
			return v
		}
	}
}
