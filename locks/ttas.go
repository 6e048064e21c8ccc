package locks

import (
	"sync/atomic"

	"github.com/lockbench/lockbench/internal/cacheline"
)

func init() {
	Register(Ops{
		Name:    "ttas",
		Doc:     "test-and-test-and-set spinlock with bounded exponential backoff; unfair; spin, then Gosched (or spin, park)",
		New:     func() Lock { return new(TTAS) },
		Waits:   []Wait{WaitYield, WaitSpin, WaitPark},
		NewWait: func(w Wait) Lock { return &TTAS{wait: w} },
	})
}

var _ Lock = (*TTAS)(nil)

// Backoff bounds for TTAS, in reads of the lock word. The bound keeps a
// waiter from sleeping through many releases.
const (
	ttasMinBackoff = 4
	ttasMaxBackoff = 1024
)

// TTAS is the CAS spinlock done well. The fast path is one CAS. A waiter
// spins on plain loads (the "test"), which hit its own cached copy of the line
// and generate no coherence traffic, and only tries the CAS (the
// "test-and-set") once it has seen the lock free. A waiter that loses that
// race backs off for an exponentially growing, bounded delay so that the
// losers of one release do not all retry together.
//
// The zero value is an unlocked lock with the yield policy. A TTAS must not
// be copied after first use. Fairness: none; a running waiter usually beats
// one that yielded or sleeps.
type TTAS struct {
	// state is 1 while held, 0 while free. A successful CompareAndSwap(0, 1)
	// acquires and Unlock's Swap(0) releases; Go's atomics are sequentially
	// consistent, so the release happens before the next successful CAS.
	state atomic.Uint32
	wait  Wait          // read-only after construction
	park  parking       // sleepers, for the park policy; on the same line as state
	stats *Stats        // nil unless statistics are on; read-only after Instrument
	_     cacheline.Pad // the word waiters read and CAS; prevents false sharing
}

func (l *TTAS) setStats(s *Stats) { l.stats = s }

// Lock acquires l.
func (l *TTAS) Lock() {
	if l.state.CompareAndSwap(0, 1) {
		return
	}
	l.lockSlow(false)
}

// LockRecording implements RecordingLock.
func (l *TTAS) LockRecording() WaitRecord {
	if l.state.CompareAndSwap(0, 1) {
		return 0
	}
	return l.lockSlow(true)
}

func (l *TTAS) lockSlow(recording bool) WaitRecord {
	var s spinner
	s.init(l.stats, l.wait.or(WaitYield), Writer, recording)
	backoff := ttasMinBackoff
	for {
		for l.state.Load() != 0 {
			if !s.spin() {
				l.park.sleep(&l.state, &s)
				s.n = 0
			}
		}
		if l.state.CompareAndSwap(0, 1) {
			return s.done(Contentions)
		}
		for i := 0; i < backoff; i++ {
			// Reading our cached copy of the line delays without traffic and
			// cannot be optimised away.
			_ = l.state.Load()
		}
		backoff = min(2*backoff, ttasMaxBackoff)
	}
}

// Unlock releases l. It panics if l is not locked.
func (l *TTAS) Unlock() {
	if l.state.Swap(0) == 0 {
		panic("locks: unlock of unlocked ttas lock")
	}
	if l.wait == WaitPark {
		l.park.wake(l.stats)
	}
}
