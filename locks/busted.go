package locks

import (
	"math/rand/v2"
	"runtime"
	"sync/atomic"

	"github.com/lockbench/lockbench/internal/cacheline"
)

func init() {
	Register(Ops{
		Name:   "busted",
		Doc:    "deliberately broken: check then set as two atomics, so two goroutines can both enter",
		Broken: true,
		New:    func() Lock { return new(Busted) },
	})
}

var _ Lock = (*Busted)(nil)

// Busted is a deliberately incorrect lock, lockbench's lock_busted: Lock
// checks that the word is 0 and then, in a separate atomic operation, sets it
// to 1. Two goroutines that both see 0 both enter the critical section. It
// exists so that every correctness check can prove that it catches a broken
// lock; it is registered Broken and never appears in [Names].
//
// Every access is atomic, so the race detector has nothing to report: the
// race is logical. Unlock never panics, even when the lock is not held.
type Busted struct {
	state atomic.Uint32
	stats *Stats        // nil unless statistics are on; read-only after Instrument
	_     cacheline.Pad // prevents false sharing
}

func (l *Busted) setStats(s *Stats) { l.stats = s }

// Lock "acquires" l: it waits to see the word free, then sets it.
func (l *Busted) Lock() { l.lock(false) }

// LockRecording implements RecordingLock.
func (l *Busted) LockRecording() WaitRecord { return l.lock(true) }

func (l *Busted) lock(recording bool) WaitRecord {
	var s spinner
	s.init(l.stats, WaitYield, Writer, recording)
	for {
		if l.state.Load() == 0 {
			// The bug: another goroutine may see 0 too before either
			// stores. A few more loads widen the window, so that every
			// check catches it in milliseconds rather than now and then;
			// and one time in bustedYieldEvery the P is given away inside
			// it, so that with one P too, where only a preemption landing
			// here would otherwise let a second goroutine see 0, one does.
			for range 64 {
				_ = l.state.Load()
			}
			if rand.Uint32()%bustedYieldEvery == 0 {
				runtime.Gosched()
			}
			l.state.Store(1)
			if s.spins == 0 {
				return 0
			}
			return s.done(Contentions)
		}
		s.spin()
	}
}

// bustedYieldEvery is how many of Busted's acquisitions there are to one
// that yields between its check and its set.
const bustedYieldEvery = 64

// Unlock clears the word.
func (l *Busted) Unlock() { l.state.Store(0) }
