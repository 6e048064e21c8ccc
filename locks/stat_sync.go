package locks

import (
	"sync"

	"github.com/lockbench/lockbench/internal/cacheline"
)

// The locks Instrument puts in place of the strategies built on package
// sync, whose slow paths lockbench cannot see. A try that fails is a
// contention, as the kernel's lock_contended hook marks a lock that was
// not free; the wait is timed as the other strategies time theirs. sync's
// own spins, yields and parks stay uncounted. The fast path is one
// TryLock, the same compare-and-swap as Lock's own fast path.

var (
	_ RecordingLock = (*statMutex)(nil)
	_ RecordingLock = (*statRWMutex)(nil)
	_ RWLock        = (*statRWMutex)(nil)
)

// statMutex is a Mutex that counts its contentions.
type statMutex struct {
	mu    sync.Mutex
	stats *Stats
	_     cacheline.Pad // prevents false sharing
}

func (m *statMutex) Lock() {
	if !m.mu.TryLock() {
		m.lockSlow(false)
	}
}

func (m *statMutex) Unlock() { m.mu.Unlock() }

// LockRecording implements RecordingLock.
func (m *statMutex) LockRecording() WaitRecord {
	if m.mu.TryLock() {
		return 0
	}
	return m.lockSlow(true)
}

func (m *statMutex) lockSlow(recording bool) WaitRecord {
	return waitInSync(m.stats, Writer, recording, m.mu.Lock)
}

// waitInSync waits in lock, a slow path of package sync's that lockbench
// cannot see into, as one contended acquisition of side: timed when
// sampled, its spins, yields and parks unseen.
func waitInSync(stats *Stats, side Side, recording bool, lock func()) WaitRecord {
	var s spinner
	s.init(stats, WaitPark, side, recording)
	lock()
	return s.done(Contentions)
}

// statRWMutex is an RWMutex that counts its contentions on both sides.
type statRWMutex struct {
	rw    sync.RWMutex
	stats *Stats
	_     cacheline.Pad // prevents false sharing
}

func (rw *statRWMutex) Lock() {
	if !rw.rw.TryLock() {
		rw.lockSlow(false)
	}
}

func (rw *statRWMutex) Unlock()  { rw.rw.Unlock() }
func (rw *statRWMutex) RUnlock() { rw.rw.RUnlock() }

// LockRecording implements RecordingLock.
func (rw *statRWMutex) LockRecording() WaitRecord {
	if rw.rw.TryLock() {
		return 0
	}
	return rw.lockSlow(true)
}

func (rw *statRWMutex) lockSlow(recording bool) WaitRecord {
	return waitInSync(rw.stats, Writer, recording, rw.rw.Lock)
}

func (rw *statRWMutex) RLock() {
	if !rw.rw.TryRLock() {
		waitInSync(rw.stats, Reader, false, rw.rw.RLock)
	}
}
