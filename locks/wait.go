package locks

import (
	"fmt"
	"runtime"
	"sync/atomic"
)

// Wait is a spinlock's waiting policy (see the package doc). The zero value
// is the lock's default.
type Wait uint8

// The waiting policies.
const (
	WaitDefault Wait = iota // the lock's own default
	WaitSpin                // re-read the lock word, never give the P away
	WaitYield               // spin, then runtime.Gosched between reads
	WaitPark                // spin, then sleep on a semaphore until woken
)

var waitNames = [...]string{"default", "spin", "yield", "park"}

func (w Wait) String() string {
	if int(w) < len(waitNames) {
		return waitNames[w]
	}
	return fmt.Sprintf("wait(%d)", w)
}

// Waits returns every policy, in the order spin, yield, park.
func Waits() []Wait { return []Wait{WaitSpin, WaitYield, WaitPark} }

// ParseWait parses a policy name: spin, yield or park.
func ParseWait(s string) (Wait, error) {
	for _, w := range Waits() {
		if w.String() == s {
			return w, nil
		}
	}
	return 0, fmt.Errorf("locks: unknown waiting policy %q (valid: spin, yield, park)", s)
}

// or returns w, or def if w is WaitDefault.
func (w Wait) or(def Wait) Wait {
	if w == WaitDefault {
		return def
	}
	return w
}

// spinLimit is how many times a waiter re-reads its word before yielding or
// parking. About a microsecond of spinning: long enough to cover a critical
// section held by a running goroutine, short enough that a waiter behind a
// preempted holder gives its P away quickly.
const spinLimit = 128

// spinner is one waiter's progress through its policy, and its statistics;
// it lives on the waiter's stack, so that counting a spin is an increment
// of a local. A slow path readies one with init and ends with done,
// which returns the wait's counts to a recording caller (LockRecording),
// and otherwise adds them to the lock's Stats, if it has one.
type spinner struct {
	policy Wait
	n      int // spins since the last park

	// Statistics of this wait. stats is nil when they are off.
	stats                *Stats
	recording            bool // done returns the counts rather than adding them
	side                 Side
	extra                Event // a strategy's own event of this wait (Pending...), 0 for none
	handoff              bool  // the lock was handed to this waiter by its releaser (FIFO)
	start                int64 // Nanotime at the start of a timed wait, 0 if not timed
	spins, yields, parks uint32
}

// init readies s for one contended acquisition of side under policy, for
// a recording caller or not; stats is the lock's, nil when statistics are
// off. With statistics on, one wait in WaitSampleEvery, drawn at random,
// is timed. It fills s in place: a spinner returned by value from a call
// is copied whole, and its narrow fields, just stored, stall the copy's
// loads (store forwarding), 15 ns per slow path.
func (s *spinner) init(stats *Stats, policy Wait, side Side, recording bool) {
	s.policy, s.stats, s.side, s.recording = policy, stats, side, recording
	if stats != nil && cheaprand()%waitSampleEvery == 0 {
		s.start = Nanotime()
	}
}

// waitSampleEvery is WaitSampleEvery, which tests set to 1 to time every
// wait.
var waitSampleEvery uint32 = WaitSampleEvery

// spin is called once per failed check of the lock word. It returns false
// when the waiter should park now (policy park, spin budget spent).
func (s *spinner) spin() bool {
	s.spins++
	if s.n < spinLimit || s.policy == WaitSpin {
		s.n++
		return true
	}
	if s.policy == WaitYield {
		s.yields++
		runtime.Gosched()
		return true
	}
	return false
}

// yield gives the P away at once; waiters that know they are far from the
// head of a FIFO queue use it instead of spinning.
func (s *spinner) yield() {
	s.yields++
	runtime.Gosched()
}

// done ends a contended acquisition of event e (Contentions, or Retries for
// a seqlock's reader; Acquisitions for one that did not wait but has an
// extra event to tell): it returns the wait's counts to a recording caller,
// or adds them to the lock's statistics, a pin of the P inside the
// critical section, and returns 0. A timed wait's time is recorded here,
// at the acquisition, whichever: one wait in WaitSampleEvery pays a pin
// inside the critical section.
func (s *spinner) done(e Event) WaitRecord {
	if s.stats == nil || e == Acquisitions && s.extra == Acquisitions {
		return 0
	}
	if s.start != 0 && e != Acquisitions {
		s.stats.record(s.side, WaitTime, Nanotime()-s.start)
	}
	r := packWait(e, s.extra, s.handoff, s.spins, s.yields, s.parks)
	if s.recording {
		return r
	}
	s.stats.AddWait(s.side, r)
	return 0
}

// parking is the sleeping side of an unfair lock's park policy: one
// semaphore for the whole lock and a count of sleepers, so that Unlock wakes
// someone only when someone sleeps. A woken waiter competes for the lock
// again; extra wake-ups are harmless (the waiter finds the lock held and
// sleeps again).
type parking struct {
	sleepers atomic.Uint32
	sema     uint32
}

// sleep parks until a release, unless word is already 0 (free). Together
// with wake it is Dekker's pattern: the sleeper increments sleepers then
// reads word, the releaser clears word then reads sleepers; with Go's
// sequentially consistent atomics one of them sees the other.
func (p *parking) sleep(word *atomic.Uint32, s *spinner) {
	p.sleepers.Add(1)
	if word.Load() != 0 {
		s.parks++
		semacquire(&p.sema)
	}
	p.sleepers.Add(^uint32(0))
	_ = word.Load() // orders what follows after the release, for the race detector too
}

// wake wakes a sleeper, if any, after the lock word was cleared, and
// counts the wake-up in stats.
func (p *parking) wake(stats *Stats) {
	if p.sleepers.Load() != 0 {
		semrelease(&p.sema, false, 0)
		stats.Count(Writer, Wakeups, 1)
	}
}
