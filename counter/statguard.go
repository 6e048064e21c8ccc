package counter

import (
	"sync/atomic"

	"github.com/lockbench/lockbench/internal/cacheline"
	"github.com/lockbench/lockbench/internal/work"
	"github.com/lockbench/lockbench/locks"
)

// The guards of a counter made WithStats: the lock guards again, with
// lock_stat's hooks around Lock and Unlock (lockdep's __acquired and
// __release): count the acquisition and time one hold in
// locks.HoldSampleEvery. The lock counts its own slow-path events
// (locks.Instrument). Separate types, so that a counter without statistics
// runs exactly the code it ran before they existed.
//
// A write acquisition, and a contended one's wait as LockRecording returns
// it, are counted inside the critical section, in plain words next to the
// value (locks.HolderCounts), whose line the holder owns already and which
// moves with the lock anyway: a fraction of a nanosecond, where a per-P
// count costs a pin of the P (3 ns here, a quarter of an uncontended
// lock). Readers hold the lock together, so theirs go to locks.Stats'
// per-P counts (Stats.Acquire).

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
		return &statSeqGuard{lock: seq, stats: s, csSteps: csSteps}
	}
	g := &statGuard{lock: l.(locks.RecordingLock), stats: s, csSteps: csSteps}
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
	lock    locks.RecordingLock
	rw      locks.RWLock      // lock's read side, if it has one without a token
	token   locks.TokenRWLock // lock's read side, if its readers carry a token
	stats   *locks.Stats
	csSteps int
	_       cacheline.Pad
	value   int64              // guarded by lock
	writes  locks.HolderCounts // the write side's counts, on the value's line; guarded by lock
	_       cacheline.Pad
}

// Add is lockGuard's, with statistics. A timed hold takes addTimed, out of
// line: a clock read and a call on the hot path, even untaken, cost a
// nanosecond of spills here.
func (g *statGuard) Add(delta int64) {
	if g.writes.Acquired(g.lock.LockRecording()) {
		g.addTimed(delta)
		return
	}
	g.value += delta
	if g.csSteps > 0 {
		work.Spin(g.csSteps)
	}
	g.lock.Unlock()
}

//go:noinline
func (g *statGuard) addTimed(delta int64) {
	start := locks.Nanotime()
	g.value += delta
	if g.csSteps > 0 {
		work.Spin(g.csSteps)
	}
	g.stats.Held(locks.Writer, start)
	g.lock.Unlock()
}

func (g *statGuard) Load() int64 {
	if g.rw == nil && g.token == nil {
		var start int64
		timeHold := g.writes.Acquired(g.lock.LockRecording())
		if timeHold {
			start = locks.Nanotime()
		}
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
	timeHold := g.stats.Acquire(locks.Reader)
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

func (g *statGuard) lockStats() locks.StatSnapshot { return snapshotWith(g.lock, g.stats, &g.writes) }
func (g *statGuard) resetLockStats()               { resetWith(g.lock, g.stats, &g.writes) }

// snapshotWith reads a lock's statistics, and the write side's counts,
// which its holders keep, under the lock.
func snapshotWith(l locks.Lock, s *locks.Stats, writes *locks.HolderCounts) locks.StatSnapshot {
	snap := s.Snapshot()
	l.Lock()
	writes.AddTo(&snap, locks.Writer)
	l.Unlock()
	return snap
}

// resetWith clears what snapshotWith reads.
func resetWith(l locks.Lock, s *locks.Stats, writes *locks.HolderCounts) {
	l.Lock()
	*writes = locks.HolderCounts{}
	l.Unlock()
	s.Reset()
}

// statSeqGuard is seqGuard with statistics: writers as statGuard's;
// readers take no lock, so they count no acquisition, only the reads a
// writer made them do again (locks.Retries).
type statSeqGuard struct {
	lock    *locks.Seqlock
	stats   *locks.Stats
	csSteps int
	_       cacheline.Pad
	value   atomic.Int64       // written under the lock, read optimistically
	writes  locks.HolderCounts // the write side's counts; guarded by lock
	_       cacheline.Pad
}

func (g *statSeqGuard) Add(delta int64) {
	var start int64
	timeHold := g.writes.Acquired(g.lock.LockRecording())
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

func (g *statSeqGuard) lockStats() locks.StatSnapshot {
	return snapshotWith(g.lock, g.stats, &g.writes)
}
func (g *statSeqGuard) resetLockStats() { resetWith(g.lock, g.stats, &g.writes) }

// statBrokenGuard is brokenLockGuard with statistics, every acquisition
// counted per P (its holders overlap, so they cannot count in a shared
// word). What the statistics say about a broken lock: acquisitions equal
// operations, and it is contended far less than a sound lock under the
// same load, since its waiters walk in together; the lost updates are the
// counter's check to find.
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
