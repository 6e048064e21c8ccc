package locks

import (
	"sync/atomic"

	"github.com/lockbench/lockbench/internal/cacheline"
)

func init() {
	Register(Ops{
		Name:    "tas",
		Doc:     "test-and-set spinlock: atomic swap in the loop; unfair; spin, then Gosched (or spin, park)",
		New:     func() Lock { return new(TAS) },
		Waits:   []Wait{WaitYield, WaitSpin, WaitPark},
		NewWait: func(w Wait) Lock { return &TAS{wait: w} },
	})
}

var _ Lock = (*TAS)(nil)

// TAS is the textbook test-and-set spinlock: every waiter swaps 1 into the
// lock word until the swap returns 0. Each failed attempt is a write, so
// waiters keep stealing the cache line from each other and from the holder;
// it is here as the strawman that TTAS improves on.
//
// The zero value is an unlocked lock with the yield policy. A TAS must not
// be copied after first use. Fairness: none; whichever waiter swaps first
// after the release wins.
type TAS struct {
	// state is 1 while held, 0 while free. A Swap(1) that returns 0 acquires;
	// Unlock's Swap(0) releases. Go's atomics are sequentially consistent, so
	// the release happens before the next acquiring Swap returns.
	state atomic.Uint32
	wait  Wait          // read-only after construction
	park  parking       // sleepers, for the park policy; on the same line as state
	stats *Stats        // nil unless statistics are on; read-only after Instrument
	_     cacheline.Pad // the word every waiter writes; prevents false sharing
}

func (l *TAS) setStats(s *Stats) { l.stats = s }

// Lock acquires l.
func (l *TAS) Lock() {
	if l.state.Swap(1) == 0 {
		return
	}
	l.lockSlow(false)
}

// LockRecording implements RecordingLock.
func (l *TAS) LockRecording() WaitRecord {
	if l.state.Swap(1) == 0 {
		return 0
	}
	return l.lockSlow(true)
}

func (l *TAS) lockSlow(recording bool) WaitRecord {
	var s spinner
	s.init(l.stats, l.wait.or(WaitYield), Writer, recording)
	for l.state.Swap(1) != 0 {
		if !s.spin() {
			l.park.sleep(&l.state, &s)
			s.n = 0
		}
	}
	return s.done(Contentions)
}

// Unlock releases l. It panics if l is not locked.
func (l *TAS) Unlock() {
	// Swap rather than Store: on amd64 both are one XCHG, and the old value
	// detects an unlock of an unlocked lock for free.
	if l.state.Swap(0) == 0 {
		panic("locks: unlock of unlocked tas lock")
	}
	if l.wait == WaitPark {
		l.park.wake(l.stats)
	}
}
