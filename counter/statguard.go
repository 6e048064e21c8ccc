package counter

import (
	"github.com/lockbench/lockbench/internal/cacheline"
	"github.com/lockbench/lockbench/internal/work"
	"github.com/lockbench/lockbench/locks"
)

// The guards of a counter made WithStats: the lock guards again, with
// lock_stat's hooks around Lock and Unlock (lockdep's __acquire, __acquired
// and __release): count the acquisition, time one hold in
// locks.HoldSampleEvery, and count acq-bounces. The lock counts its own
// slow-path events (locks.Instrument). Separate types, so that a counter
// without statistics runs exactly the code it ran before they existed.

// statStore is a store that keeps lock statistics.
type statStore interface {
	Store
	lockStats() locks.StatSnapshot
	resetLockStats()
}

// newStatStore is newLockStore with statistics in s.
func newStatStore(l locks.Lock, s *locks.Stats, csSteps int, broken bool) statStore {
	l = locks.Instrument(l, s)
	if broken {
		return &statBrokenGuard{brokenLockGuard: brokenLockGuard{lock: l, csSteps: csSteps}, stats: s}
	}
	if seq, ok := l.(*locks.Seqlock); ok {
		return &statSeqGuard{seqGuard: seqGuard{lock: seq, csSteps: csSteps}, stats: s}
	}
	g := &statGuard{lock: l, stats: s, csSteps: csSteps, lastP: -1}
	switch l := l.(type) {
	case locks.TokenRWLock:
		g.token = l
	case locks.RWLock:
		g.rw = l
	}
	return g
}

// statGuard is lockGuard, rwGuard and tokenGuard with statistics.
type statGuard struct {
	lock    locks.Lock
	rw      locks.RWLock      // lock's read side, if it has one without a token
	token   locks.TokenRWLock // lock's read side, if its readers carry a token
	stats   *locks.Stats
	csSteps int
	_       cacheline.Pad
	value   int64  // guarded by lock
	lastP   int    // the P of the last write acquisition, -1 before the first; guarded by lock
	bounces uint64 // write acquisitions on another P than the last; guarded by lock
	_       cacheline.Pad
}

// acquired does the write side's bookkeeping inside the critical section,
// on the value's line, which the holder has already: the bounce, and the
// start of a timed hold.
func (g *statGuard) acquired(p int, timeHold bool) (start int64) {
	if p != g.lastP {
		if g.lastP >= 0 {
			g.bounces++
		}
		g.lastP = p
	}
	if timeHold {
		start = locks.Nanotime()
	}
	return start
}

func (g *statGuard) Add(delta int64) {
	p, timeHold := g.stats.Acquire(locks.Writer)
	g.lock.Lock()
	start := g.acquired(p, timeHold)
	g.value += delta
	if g.csSteps > 0 {
		work.Spin(g.csSteps)
	}
	if timeHold {
		g.stats.Held(locks.Writer, start)
	}
	g.lock.Unlock()
}

func (g *statGuard) Load() int64 {
	if g.rw == nil && g.token == nil {
		p, timeHold := g.stats.Acquire(locks.Writer)
		g.lock.Lock()
		start := g.acquired(p, timeHold)
		v := g.value
		if g.csSteps > 0 {
			work.Spin(g.csSteps)
		}
		if timeHold {
			g.stats.Held(locks.Writer, start)
		}
		g.lock.Unlock()
		return v
	}
	_, timeHold := g.stats.Acquire(locks.Reader)
	token := -1
	if g.token != nil {
		token = g.token.RLockToken()
	} else {
		g.rw.RLock()
	}
	var start int64
	if timeHold {
		start = locks.Nanotime()
	}
	v := g.value
	if g.csSteps > 0 {
		work.Spin(g.csSteps)
	}
	if timeHold {
		g.stats.Held(locks.Reader, start)
	}
	if g.token != nil {
		g.token.RUnlockToken(token)
	} else {
		g.rw.RUnlock()
	}
	return v
}

// lockStats reads the lock's statistics, and the bounces under the lock.
func (g *statGuard) lockStats() locks.StatSnapshot {
	snap := g.stats.Snapshot()
	g.lock.Lock()
	snap.Events[locks.Writer][locks.Bounces] += g.bounces
	g.lock.Unlock()
	return snap
}

func (g *statGuard) resetLockStats() {
	g.lock.Lock()
	g.bounces = 0
	g.lock.Unlock()
	g.stats.Reset()
}

// statSeqGuard is seqGuard with statistics: writers as statGuard's;
// readers take no lock, so they count no acquisition, only the reads a
// writer made them do again (locks.Retries).
type statSeqGuard struct {
	seqGuard
	stats *locks.Stats
}

func (g *statSeqGuard) Add(delta int64) {
	_, timeHold := g.stats.Acquire(locks.Writer)
	g.lock.Lock()
	var start int64
	if timeHold {
		start = locks.Nanotime()
	}
	g.value.Store(g.value.Load() + delta)
	if g.csSteps > 0 {
		work.Spin(g.csSteps)
	}
	if timeHold {
		g.stats.Held(locks.Writer, start)
	}
	g.lock.Unlock()
}

func (g *statSeqGuard) Load() int64 {
	for {
		seq := g.lock.ReadBegin()
		v := g.value.Load()
		if g.csSteps > 0 {
			work.Spin(g.csSteps)
		}
		if !g.lock.ReadRetry(seq) {
			return v
		}
		g.stats.Count(locks.Reader, locks.Retries, 1)
	}
}

func (g *statSeqGuard) lockStats() locks.StatSnapshot { return g.stats.Snapshot() }
func (g *statSeqGuard) resetLockStats()               { g.stats.Reset() }

// statBrokenGuard is brokenLockGuard with statistics. What they say about
// a broken lock: acquisitions equal operations, and the lock waits far
// less than a sound one at the same contention (busted: its waiters pass
// whenever they see the word free, together), which is the tell.
type statBrokenGuard struct {
	brokenLockGuard
	stats *locks.Stats
}

func (g *statBrokenGuard) Add(delta int64) {
	g.stats.Acquire(locks.Writer)
	g.brokenLockGuard.Add(delta)
}

func (g *statBrokenGuard) Load() int64 {
	side := locks.Writer
	if _, ok := g.lock.(locks.RWLock); ok {
		side = locks.Reader
	}
	g.stats.Acquire(side)
	return g.brokenLockGuard.Load()
}

func (g *statBrokenGuard) lockStats() locks.StatSnapshot { return g.stats.Snapshot() }
func (g *statBrokenGuard) resetLockStats()               { g.stats.Reset() }
