// Package locks holds lockbench's lock strategies behind one interface, each
// registered under a name, in the manner of the kernel's locktorture ops
// vectors (kernel/locking/locktorture.c).
//
// Every strategy lives in its own file with its invariant, fairness and memory
// ordering documented next to the fields they govern. The registry is filled
// from init functions; [Lookup] finds a strategy by name and [Names] lists the
// sound ones. One strategy, busted, is deliberately incorrect and marked
// [Ops.Broken]: it exists so that every correctness check can prove it bites.
//
// # Waiting policy
//
// The spinlocks (tas, ttas, ticket, mcs, qspin) are written for goroutines,
// which, unlike kernel spinlock holders, can be preempted while they hold the
// lock or while they are next in line: with 64 goroutines on GOMAXPROCS=2
// most of them are not running. What a waiter does is its [Wait] policy,
// chosen by a name suffix ("ticket:park") or left to the lock's default:
//
//   - spin: re-read the lock word and nothing else. The lowest hand-off
//     latency while every waiter has a CPU; with more goroutines than CPUs a
//     waiter can burn its whole time slice (the runtime's 10 ms preemption
//     tick) while the holder, or the next in line, waits for a P.
//   - yield: spin a bounded number of times, then runtime.Gosched between
//     reads, handing the P to runnable goroutines, the holder among them.
//     The default of the unfair locks (tas, ttas), whose running waiters take
//     the lock over preempted ones.
//   - park: spin a bounded number of times, then sleep on a runtime
//     semaphore; the releaser wakes the sleeper, for FIFO locks with direct
//     hand-off (the woken goroutine runs at once on the releaser's P, as in
//     sync.Mutex's starvation mode). The default of the FIFO locks (ticket,
//     mcs, qspin), whose next owner is fixed: a FIFO lock cannot let a
//     running goroutine go first, so the next owner must be made to run.
//
// # Readers
//
// A strategy whose locks also implement [RWLock] is a reader-writer lock
// (rwmutex, qrwlock, percpu-rw, bravo): readers share it, writers exclude
// everyone; one whose locks implement [SequenceLock] (seqlock) lets readers take
// no lock at all and retry. [Ops.RW] and [Ops.Seq] say which, from the
// registration alone. busted-rw, whose readers exclude nobody, is the
// negative control of the reader checks.
//
// # Statistics
//
// [Instrument] makes a lock count what the kernel's lock_stat and
// qspinlock's lock events count, on its slow paths only, into a [Stats]:
// contended acquisitions, spins, yields, parks, wake-ups, hand-offs and its
// own events ([Event]), with sampled wait and hold times. A
// [RecordingLock]'s LockRecording hands a contended acquisition's counts
// back to the caller as one word ([WaitRecord]), so that an exclusive
// holder can count them in words it owns ([HolderCounts]). Without
// Instrument a lock runs the code it ran before statistics existed.
//
// # Misuse
//
// Unlocking an unlocked spinlock panics with a message prefixed "locks:"
// wherever the lock's state makes it detectable. The sync wrappers (mutex,
// rwmutex) keep the standard library's behaviour: a fatal error.
//
// # Padding
//
// Contended words are followed by a line of padding (internal/cacheline.Pad)
// so that two locks, or a lock and the data next to it, never share a cache
// line (false sharing turns every access into a coherence miss).
package locks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lockbench/lockbench/internal/registry"
)

// Lock is a mutual-exclusion lock. Its method set is that of sync.Locker.
type Lock interface {
	Lock()
	Unlock()
}

// Ops describes one lock strategy, as locktorture's lock_torture_ops does.
type Ops struct {
	Name   string // registry key, e.g. "ticket"; no '/', it splits benchmark keys
	Doc    string // one line: algorithm, fairness, waiting policy
	Broken bool   // true only for deliberately incorrect locks (busted)
	// UnlockFatal marks a strategy built on the standard library's locks,
	// whose unlock of an unlocked lock is the runtime's unrecoverable fatal
	// error rather than a "locks:" panic.
	UnlockFatal bool
	FIFO        bool        // waiters acquire in arrival order; the conformance suite checks it
	New         func() Lock // a fresh, unlocked lock, with the default waiting policy

	// For locks with a choice of waiting policy: the policies, the default
	// first, and a constructor taking one. Lookup("ticket:park") uses them.
	Waits   []Wait
	NewWait func(Wait) Lock

	// Set by Register from what New returns: a reader-writer lock (its
	// lock implements RWLock; a read takes its read side) and a sequence
	// lock (it implements SequenceLock; a read takes no lock).
	RW  bool
	Seq bool

	// Set by Register and Lookup, so that no caller splits Name: the
	// strategy's own name ("ticket"), and for a variant that Lookup made
	// from "ticket:spin", its policy (WaitDefault otherwise).
	Strategy string
	Wait     Wait
}

var strategies registry.Registry[Ops]

// Register adds a strategy. It is meant to be called from init and panics on
// an empty or duplicate name, a name containing '/' or ',' (benchmark keys and
// CLI lists split on them), or a nil New.
func Register(o Ops) {
	if o.New == nil {
		panic("locks: Register: nil New for " + o.Name)
	}
	if (len(o.Waits) == 0) != (o.NewWait == nil) {
		panic("locks: Register: Waits and NewWait go together, for " + o.Name)
	}
	o.Strategy, o.Wait = o.Name, WaitDefault
	sample := o.New()
	_, o.RW = sample.(RWLock)
	_, o.Seq = sample.(SequenceLock)
	strategies.MustAdd("locks: Register", "", o.Name, "/,: \t", o)
}

// Lookup returns the strategy registered under name, broken ones included.
// A name may carry a waiting policy, "ticket:park"; the Ops returned then
// builds locks with that policy and is named so. An unknown name yields an
// error that lists the valid names.
func Lookup(name string) (Ops, error) {
	base, wait, hasWait := strings.Cut(name, ":")
	o, ok := strategies.Lookup(base)
	if !ok {
		return Ops{}, &UnknownError{Name: name, Valid: Names(), Broken: brokenNames()}
	}
	if !hasWait {
		return o, nil
	}
	w, err := ParseWait(wait)
	if err != nil || !slices.Contains(o.Waits, w) {
		return Ops{}, &UnknownError{Name: name, Valid: Variants(), Broken: brokenNames()}
	}
	v := o
	v.Name = name
	v.Doc = o.Doc + " (wait=" + w.String() + ")"
	v.New = func() Lock { return o.NewWait(w) }
	v.Waits = []Wait{w}
	v.Wait = w
	return v, nil
}

// Canonical spells out name's waiting policy: "ticket" is "ticket:park",
// its default. A name that carries a policy, a lock without a choice of
// policy ("mutex") and a name that is not a lock ("atomic") are returned as
// they are. Results name locks canonically, so that one lock never shows
// under two names.
func Canonical(name string) string {
	if strings.Contains(name, ":") {
		return name
	}
	o, ok := strategies.Lookup(name)
	if !ok || len(o.Waits) == 0 {
		return name
	}
	return name + ":" + o.Waits[0].String()
}

// Variants returns every "name:wait" combination of the sound strategies
// that have waiting policies, sorted.
func Variants() []string {
	var out []string
	for _, o := range All() {
		if o.Broken {
			continue
		}
		for _, w := range o.Waits {
			out = append(out, o.Name+":"+w.String())
		}
	}
	return out
}

// Names returns the sorted names of every sound (non-Broken) strategy.
func Names() []string { return names(false) }

func brokenNames() []string { return names(true) }

func names(broken bool) []string {
	var out []string
	for _, o := range strategies.All() {
		if o.Broken == broken {
			out = append(out, o.Name)
		}
	}
	return out
}

// All returns every registered strategy, broken ones included, sorted by name.
func All() []Ops { return strategies.All() }

// UnknownError reports a lock name that is not registered.
type UnknownError struct {
	Name   string
	Valid  []string // sound strategies
	Broken []string // deliberately broken strategies, valid for checks only
}

func (e *UnknownError) Error() string {
	msg := fmt.Sprintf("locks: unknown lock %q (valid: %s", e.Name, strings.Join(e.Valid, ", "))
	if len(e.Broken) > 0 {
		msg += "; broken, for checks only: " + strings.Join(e.Broken, ", ")
	}
	return msg + ")"
}

// fifoProbe is implemented by every FIFO strategy so that the conformance
// suite can queue waiters in a known order: tailToken changes with every
// arrival while the lock is held.
type fifoProbe interface{ tailToken() uint64 }
