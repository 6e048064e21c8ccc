package locks

import (
	"sync/atomic"

	"github.com/lockbench/lockbench/internal/cacheline"
)

func init() {
	Register(Ops{
		Name:    "ticket",
		Doc:     "ticket spinlock (next/owner in one word): FIFO; next in line spins, then parks; later waiters park at once",
		FIFO:    true,
		New:     func() Lock { return new(Ticket) },
		Waits:   []Wait{WaitPark, WaitSpin, WaitYield},
		NewWait: func(w Wait) Lock { return &Ticket{wait: w} },
	})
}

var (
	_ Lock      = (*Ticket)(nil)
	_ fifoProbe = (*Ticket)(nil)
)

const (
	ticketOne = 1 << 32 // one ticket in the next half of Ticket.word

	// ticketSlots is how many waiters can sleep: those within this distance
	// of the owner, each in slot ticket % ticketSlots. Waiters further back
	// yield until they come within range.
	ticketSlots = 64
)

// Ticket is a ticket spinlock, the kernel's spinlock before qspinlock. An
// arrival takes the next ticket and waits until owner reaches it; Unlock
// serves the next ticket.
//
// Both counters live in one 64-bit word, so Lock is a single XADD that takes a
// ticket and reads the owner in the same instruction; the uncontended path is
// that one instruction.
//
// The zero value is an unlocked lock with the park policy. A Ticket must not
// be copied after first use. Fairness: strict FIFO in ticket order.
//
// Waiting, and why FIFO locks collapse without it: a ticket lock's next
// owner is fixed, so when goroutines outnumber CPUs and the next ticket's
// goroutine is not running, nobody can take the lock until the scheduler
// runs it. If waiters only spin or yield, every hand-off waits for the run
// queue to come round (a straightforward ticket lock costs about 100 times
// more at 64 goroutines than at 2 on 2 CPUs). With the park policy, the
// waiter whose ticket is next spins (a running holder hands over in
// nanoseconds), then sleeps; waiters further back sleep at once, each on the
// semaphore of its ticket's slot. Unlock wakes the new owner's sleeper with
// direct hand-off: the sleeper runs at once on the releaser's P. A hand-off
// then costs one goroutine switch instead of a trip round the run queue. The
// trade-off: the releaser gives up its P to the woken owner, and a sleeping
// next owner costs a wake-up that a spinning one would not.
type Ticket struct {
	// word is next<<32 | owner. next is the ticket the next arrival takes;
	// owner is the ticket being served. Invariant:
	//	next - owner = holder + waiters (mod 2^32)
	// so next == owner means unlocked. Both halves wrap. Lock's XADD on next
	// and the Load that sees owner == ticket acquire; Unlock's XADD on owner
	// releases. Only the holder changes owner.
	word  atomic.Uint64
	wait  Wait          // read-only after construction
	stats *Stats        // nil unless statistics are on; read-only after Instrument
	_     cacheline.Pad // every arrival and every waiter touches it; prevents false sharing

	// slots hold sleeping waiters. slots[t%ticketSlots].tag is ticket t|1<<32
	// while t's waiter sleeps or is about to, 0 otherwise. A sleeper sets it
	// (CAS 0 -> tag) and then reads word; Unlock moves owner to t and then
	// claims the tag (CAS tag -> 0) before releasing the semaphore. Whoever
	// claims the tag decides: the waiter cancels its sleep, or the releaser
	// owes it a wake-up. The slots are not padded: each is written once per
	// sleep, not spun on.
	slots [ticketSlots]ticketSlot
}

type ticketSlot struct {
	tag  atomic.Uint64
	sema uint32
}

// Lock acquires l, waiting its turn.
func (l *Ticket) Lock() {
	w := l.word.Add(ticketOne) - ticketOne
	ticket := uint32(w >> 32)
	if uint32(w) == ticket {
		return
	}
	l.lockSlow(ticket, false)
}

// LockRecording implements RecordingLock.
func (l *Ticket) LockRecording() WaitRecord {
	w := l.word.Add(ticketOne) - ticketOne
	ticket := uint32(w >> 32)
	if uint32(w) == ticket {
		return 0
	}
	return l.lockSlow(ticket, true)
}

func (l *Ticket) lockSlow(ticket uint32, recording bool) WaitRecord {
	var s spinner
	s.init(l.stats, l.wait.or(WaitPark), Writer, recording)
	l.awaitTurn(ticket, &s)
	s.handoff = true // served in ticket order: the lock was handed to us
	return s.done(Contentions)
}

// lockWaiting acquires l as part of another lock's slow path, counting its
// wait in that lock's spinner s, and reports whether it had to wait. (A
// qrwlock queues on a Ticket; a percpu-rw's writers serialize on one.)
func (l *Ticket) lockWaiting(s *spinner) (waited bool) {
	w := l.word.Add(ticketOne) - ticketOne
	ticket := uint32(w >> 32)
	if uint32(w) == ticket {
		return false
	}
	policy := s.policy
	s.policy, s.n = l.wait.or(WaitPark), 0
	l.awaitTurn(ticket, s)
	s.policy, s.n = policy, 0
	return true
}

// awaitTurn waits, under s's policy, until ticket is served.
func (l *Ticket) awaitTurn(ticket uint32, s *spinner) {
	for {
		owner := uint32(l.word.Load())
		if owner == ticket {
			return
		}
		distance := ticket - owner
		switch {
		case s.policy == WaitSpin:
			s.spin()
		case distance > 1 && s.policy == WaitPark && distance < ticketSlots:
			l.sleep(ticket, s) // not next: at least a whole critical section away
		case distance > 1:
			s.yield()
		case !s.spin():
			l.sleep(ticket, s)
			s.n = 0
		}
	}
}

func (l *Ticket) setStats(s *Stats) { l.stats = s }

// sleep parks the waiter of ticket until Unlock serves it, or returns at
// once if it is served already; the caller re-reads owner either way.
func (l *Ticket) sleep(ticket uint32, s *spinner) {
	slot := &l.slots[ticket%ticketSlots]
	tag := uint64(ticket) | 1<<32
	if !slot.tag.CompareAndSwap(0, tag) {
		s.yield() // cannot happen within ticketSlots of the owner; be safe
		return
	}
	if uint32(l.word.Load()) == ticket && slot.tag.CompareAndSwap(tag, 0) {
		return // served while registering, and the sleep is cancelled
	}
	s.parks++
	semacquire(&slot.sema)
}

// Unlock serves the next ticket. It panics if l is not locked, where it can
// tell. Uncontended, it is one XADD.
func (l *Ticket) Unlock() {
	w := l.word.Add(1)
	owner, next := uint32(w), uint32(w>>32)
	if owner == 0 {
		// owner wrapped from 2^32-1 and carried into next: take the carry back.
		w = l.word.Add(^uint64(ticketOne - 1))
		next = uint32(w >> 32)
	}
	if owner-1 == next {
		// The old owner equalled next: the lock was not held. Undo.
		l.word.Add(^uint64(0))
		panic("locks: unlock of unlocked ticket lock")
	}
	if next == owner {
		return
	}
	// Someone waits: the lock is now theirs, a FIFO hand-off (the waiter
	// counts it, see lockSlow).
	if l.wait.or(WaitPark) == WaitPark {
		// Wake the new owner if it sleeps.
		slot := &l.slots[owner%ticketSlots]
		if tag := uint64(owner) | 1<<32; slot.tag.Load() == tag && slot.tag.CompareAndSwap(tag, 0) {
			semrelease(&slot.sema, true, 0) // direct hand-off to the new owner
			l.stats.Count(Writer, Wakeups, 1)
		}
	}
}

// tailToken implements fifoProbe: the next ticket changes with every arrival.
func (l *Ticket) tailToken() uint64 { return l.word.Load() >> 32 }
