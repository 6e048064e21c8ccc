package locks

import (
	"math"
	"sync/atomic"
)

func init() {
	Register(Ops{
		Name: "ticket",
		Doc:  "ticket spinlock (next/owner counters in one word): FIFO; next in line spins, later waiters Gosched",
		FIFO: true,
		New:  func() Lock { return new(Ticket) },
	})
}

var (
	_ Lock      = (*Ticket)(nil)
	_ fifoProbe = (*Ticket)(nil)
)

const (
	ticketOne  = 1 << 32                // one ticket in the next half of Ticket.word
	ticketWrap = ^uint64(ticketOne - 2) // 1 - 2^32 mod 2^64: owner+1 with the carry into next cancelled
)

// Ticket is a ticket spinlock, the kernel's spinlock before qspinlock. An
// arrival takes the next ticket and waits until owner reaches it; Unlock
// serves the next ticket.
//
// Both counters live in one 64-bit word, so Lock is a single XADD that takes a
// ticket and reads the owner in the same instruction; the uncontended path is
// that one instruction.
//
// The zero value is an unlocked lock. A Ticket must not be copied after first
// use. Fairness: strict FIFO in ticket order. Waiting: the waiter whose ticket
// is next spins, then calls runtime.Gosched; waiters further back yield at
// once, since at least one whole critical section must pass before their turn
// and their P is better spent on the holder (which may be preempted) or on the
// next in line. Strict FIFO has a price under oversubscription: if the next
// ticket's goroutine is not running, nobody can take the lock until it runs.
type Ticket struct {
	// word is next<<32 | owner. next is the ticket the next arrival takes;
	// owner is the ticket being served. Invariant:
	//	next - owner = holder + waiters (mod 2^32)
	// so next == owner means unlocked. Both halves wrap. Lock's XADD on next
	// and the Load that sees owner == ticket acquire; Unlock's XADD on owner
	// releases. Only the holder changes owner.
	word atomic.Uint64
	_    [cacheLineSize - 8]byte // every arrival and every waiter touches it; prevents false sharing
}

// Lock acquires l, waiting its turn.
func (l *Ticket) Lock() {
	w := l.word.Add(ticketOne) - ticketOne
	ticket := uint32(w >> 32)
	if uint32(w) == ticket {
		return
	}
	l.lockSlow(ticket)
}

func (l *Ticket) lockSlow(ticket uint32) {
	var w spinWait
	for {
		owner := uint32(l.word.Load())
		if owner == ticket {
			return
		}
		if ticket-owner > 1 {
			yieldNow()
			continue
		}
		w.wait()
	}
}

// Unlock serves the next ticket. It panics if l is not locked.
func (l *Ticket) Unlock() {
	w := l.word.Load()
	owner := uint32(w)
	if uint32(w>>32) == owner {
		panic("locks: unlock of unlocked ticket lock")
	}
	if owner == math.MaxUint32 {
		// owner wraps to 0 and must not carry into next.
		l.word.Add(ticketWrap)
		return
	}
	l.word.Add(1)
}

// tailToken implements fifoProbe: the next ticket changes with every arrival.
func (l *Ticket) tailToken() uint64 { return l.word.Load() >> 32 }
