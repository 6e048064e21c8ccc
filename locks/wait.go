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

// spinner is one waiter's progress through its policy; it lives on the
// waiter's stack.
type spinner struct {
	policy Wait
	n      int
}

// spin is called once per failed check of the lock word. It returns false
// when the waiter should park now (policy park, spin budget spent).
func (s *spinner) spin() bool {
	if s.n < spinLimit || s.policy == WaitSpin {
		s.n++
		return true
	}
	if s.policy == WaitYield {
		runtime.Gosched()
		return true
	}
	return false
}

// yieldNow gives the P away at once; waiters that know they are far from the
// head of a FIFO queue use it instead of spinning.
func yieldNow() { runtime.Gosched() }

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
func (p *parking) sleep(word *atomic.Uint32) {
	p.sleepers.Add(1)
	if word.Load() != 0 {
		semacquire(&p.sema)
	}
	p.sleepers.Add(^uint32(0))
	_ = word.Load() // orders what follows after the release, for the race detector too
}

// wake wakes a sleeper, if any, after the lock word was cleared.
func (p *parking) wake() {
	if p.sleepers.Load() != 0 {
		semrelease(&p.sema, false, 0)
	}
}
