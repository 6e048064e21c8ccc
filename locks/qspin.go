package locks

import (
	"sync/atomic"

	"github.com/lockbench/lockbench/internal/cacheline"
)

func init() {
	Register(Ops{
		Name:    "qspin",
		FIFO:    true,
		Doc:     "the kernel's qspinlock: one word (tail, pending, locked); one CAS uncontended, the first waiter spins on pending, later ones queue MCS-style and park",
		New:     func() Lock { return new(QSpin) },
		Waits:   []Wait{WaitPark, WaitSpin, WaitYield},
		NewWait: func(w Wait) Lock { return &QSpin{wait: w} },
	})
}

var (
	_ Lock      = (*QSpin)(nil)
	_ fifoProbe = (*QSpin)(nil)
)

// The QSpin word, as the kernel lays out qspinlock's (locked byte, pending
// byte, tail), with the tail widened to 30 bits for lockbench's node indexes.
const (
	qLocked     = 1 << 0
	qPending    = 1 << 1
	qTailShift  = 2
	qLockedMask = qLocked | qPending
)

// QSpin is modelled on the kernel's queued spinlock (kernel/locking/
// qspinlock.c): one 32-bit word holds the lock, a pending bit for the first
// waiter, and the index of the last queued waiter's node. Uncontended, it is
// a test-and-set lock: one CAS to take, one atomic add to release. The first
// waiter does not queue: it sets pending and spins on the word, which costs
// no node and no hand-off. Later waiters queue MCS-style on per-waiter nodes,
// each spinning (or, under the park policy, sleeping) on its own node; the
// queue's head spins on the word until both locked and pending are clear.
//
// State transitions, as (tail, pending, locked), with * for any value:
//
//	uncontended:  (0, 0, 0) -> (0, 0, 1)                   Lock's CAS
//	pending:      (0, 0, 1) -> (0, 1, 1)                   CAS by the first waiter
//	              (*, 1, 1) -> (*, 1, 0)                   Unlock (add -1)
//	              (*, 1, 0) -> (*, 0, 1)                   the pending waiter takes it (add 1-2)
//	queue:        (t, p, l) -> (n, p, l)                   an arrival swaps its node n into tail (CAS)
//	head:         (n, 0, 0) -> (0, 0, 1)                   head n, last in the queue, takes it (CAS)
//	              (*, 0, 0) -> (*, 0, 1)                   head n with successors takes it (add 1)
//	unlock:       (*, *, 1) -> (*, *, 0)                   Unlock (add -1)
//
// Only the head of the queue sets locked while tail is set, and only when
// pending and locked are both clear, so no two owners ever coexist; an
// arrival that sees any bit set other than a lone locked bit queues. Go's
// atomics are sequentially consistent: every CAS and add that sets locked is
// an acquire, Unlock's add is the release.
//
// The zero value is an unlocked lock with the park policy. A QSpin must not
// be copied after first use. Fairness: FIFO in order of arrival, the atomic
// operation that sets pending or swaps the tail: the pending waiter arrived
// first (pending is only taken with an empty queue), and an arrival that sees
// a queue or a pending waiter queues behind them. Waiting: the pending
// waiter and the queue's head spin, then yield (they are next: a sleeping
// next owner would stall the lock); queued waiters behind the head follow the
// policy.
//
// Where the successor is made head differs by policy. The kernel's head
// grants its successor as soon as it has taken the lock: the successor
// spins on its node, and a spinlock's holder is never preempted, so the
// grant is seen within nanoseconds. qspin:spin and qspin:yield do the
// same, and are the kernel-faithful variants. Goroutines outnumbering CPUs
// break that assumption: under park the successor sleeps, and a grant at
// acquisition wakes it through the scheduler while the holder runs a
// critical section of nanoseconds and releases; the lock then idles until
// the wake-up lands, and every later arrival queues behind the sleeper (at
// g=8 on 2 CPUs, 97% of acquisitions waited, each about one park: 10x
// ticket). So under park, the default, the head that took the lock with a
// successor owes it the head of the queue (owed), and Unlock pays: it
// releases the word, then grants the successor with the releaser's P
// handed to it, so that it runs at once, as Ticket's Unlock does. The order
// is still FIFO: with a tail set, only the head may take the lock.
type QSpin struct {
	// word is tail<<qTailShift | pending | locked; tail is a node index, 0
	// for an empty queue.
	word atomic.Uint32
	// owed, under the park policy, is the node index of the queue head
	// that took the lock with a successor behind it, 0 if none: the head
	// of the queue is owed to that successor, and Unlock grants it after
	// releasing the word. Written by the holder, read by Unlock; on the
	// word's line, which the holder owns already.
	owed atomic.Uint32
	// pendingSleeper and headSleeper, under the park policy, are the node
	// indexes of the pending waiter and of the queue's head when they
	// sleep until the word changes, 0 if they do not. Unlock claims one
	// (Swap -> 0) after the release, the pending waiter first (it owns the
	// lock next), and wakes it with the releaser's P. A sleeper registers
	// (CAS 0 -> its node) and then re-reads the word: either Unlock's load
	// sees the registration, or the sleeper's re-read sees the release,
	// and whoever claims the slot decides who is owed the semaphore's
	// release.
	pendingSleeper, headSleeper atomic.Uint32
	wait                        Wait          // read-only after construction
	stats                       *Stats        // nil unless statistics are on; read-only after Instrument
	_                           cacheline.Pad // every arrival and waiter touches it; prevents false sharing
}

func (l *QSpin) setStats(s *Stats) { l.stats = s }

// Lock acquires l.
func (l *QSpin) Lock() {
	if l.word.CompareAndSwap(0, qLocked) {
		return
	}
	l.lockSlow(false)
}

// LockRecording implements RecordingLock.
func (l *QSpin) LockRecording() WaitRecord {
	if l.word.CompareAndSwap(0, qLocked) {
		return 0
	}
	return l.lockSlow(true)
}

func (l *QSpin) lockSlow(recording bool) WaitRecord {
	policy := l.wait.or(WaitPark)
	// The pending waiter and the head are next. Under spin and yield they
	// spin, then yield; under park they spin, then sleep until an Unlock
	// wakes them with its P (sleeper): yielding, they would be off their P
	// when the lock came free, and the lock would idle meanwhile.
	headPolicy := WaitYield
	if policy != WaitYield {
		headPolicy = policy
	}

	// One spinner for the whole wait, its policy changing with the phase.
	var s spinner
	s.init(l.stats, headPolicy, Writer, recording)

	// Pending: with only the holder ahead, wait on the word itself.
	// (0, 0, 1) -> (0, 1, 1)
	if l.word.CompareAndSwap(qLocked, qLocked|qPending) {
		// Wait for (*, 1, 0): the holder's release (Unlock's Add) is the
		// store this load acquires.
		var sleep *qnode
		for l.word.Load()&qLocked != 0 {
			if !s.spin() {
				if sleep == nil {
					sleep = getNode()
				}
				l.sleepUntilReleased(&l.pendingSleeper, sleep, qLocked, &s)
			}
		}
		if sleep != nil {
			putNode(sleep)
		}
		l.word.Add(^uint32(0)) // (*, 1, 0) -> (*, 0, 1): add locked - pending = -1
		s.extra = Pending
		return s.done(Contentions)
	}

	// Queue: swap our node into tail, keeping pending and locked.
	n := getNode()
	var old uint32
	for {
		old = l.word.Load()
		// (0, 0, 0) -> (0, 0, 1): the lock came free meanwhile.
		if old == 0 && l.word.CompareAndSwap(0, qLocked) {
			putNode(n)
			return s.done(Contentions)
		}
		// (prev, p, l) -> (n, p, l): publish our node as the tail; its
		// fields were written before, so a successor that reads the tail
		// finds them.
		if l.word.CompareAndSwap(old, n.idx<<qTailShift|old&qLockedMask) {
			break
		}
	}
	if prev := old >> qTailShift; prev != 0 {
		pn := node(prev)
		// A predecessor that is granted heads the queue: we are next.
		predHeads := pn.state.Load() == qGranted
		// Link in: the predecessor's awaitLink acquires this store, and
		// grants us (state qGranted) when it becomes head.
		pn.next.Store(n.idx)
		s.policy = policy
		waitGranted(n, &s, predHeads)
		s.policy, s.n = headPolicy, 0
	}

	// Head of the queue: wait for (*, 0, 0), neither an owner nor a
	// pending waiter; this load acquires the last release.
	var w uint32
	for w = l.word.Load(); w&qLockedMask != 0; w = l.word.Load() {
		if !s.spin() {
			l.sleepUntilReleased(&l.headSleeper, n, qLockedMask, &s)
		}
	}
	for {
		if w>>qTailShift == n.idx {
			// Last in the queue: (n, 0, 0) -> (0, 0, 1), taking the lock
			// and emptying the queue at once.
			if l.word.CompareAndSwap(w, qLocked) {
				putNode(n)
				s.extra = Queued
				return s.done(Contentions)
			}
			w = l.word.Load() // someone queued behind us, or a bit changed
			continue
		}
		// Successors exist: (t, 0, 0) -> (t, 0, 1). Only the head sets
		// locked now, so an Add cannot race another setter.
		l.word.Add(qLocked)
		break
	}
	s.extra = Queued
	rec := s.done(Contentions) // the wait is over; what follows is the holder's
	if policy == WaitPark {
		// The successor sleeps: Unlock will wake it, handing it this P,
		// after the release (see owed).
		l.owed.Store(n.idx)
		return rec
	}
	// Pass the head of the queue to the successor, spinning on its node,
	// once it has linked: as the kernel does.
	l.passHead(n, false)
	return rec
}

// sleepUntilReleased parks the next owner on n, registered in slot,
// until an Unlock, if the word still has a bit of busy set; it returns for
// the caller to re-read the word. n must be the caller's own node, out of
// any predecessor's reach (the pending waiter's spare node, or the head's,
// already granted). Each slot has one possible sleeper: there is one
// pending waiter and one head.
func (l *QSpin) sleepUntilReleased(slot *atomic.Uint32, n *qnode, busy uint32, s *spinner) {
	if !slot.CompareAndSwap(0, n.idx) {
		s.yield() // cannot happen: the slot's one sleeper is us; be safe
		return
	}
	if l.word.Load()&busy == 0 && slot.CompareAndSwap(n.idx, 0) {
		return // released meanwhile, and the sleep is cancelled
	}
	// Asleep, or owed a wake-up that an Unlock has claimed.
	s.parks++
	semacquire(&n.sema)
	s.n = 0
}

// passHead grants the head of the queue to n's successor once it has
// linked, and frees n. With handoff, a sleeping successor runs at once on
// this goroutine's P, which is given up to it.
func (l *QSpin) passHead(n *qnode, handoff bool) {
	succ := awaitLink(&n.next)
	woke := grant(node(succ), handoff)
	putNode(n)
	if woke {
		l.stats.Count(Writer, Wakeups, 1)
	}
}

// Unlock releases l. It panics if l is not locked, where it can tell.
// Under the park policy, a holder that came through the queue with a
// successor behind it owes that successor the head of the queue (owed):
// Unlock releases the word, (t, 0, 0), which nobody but the head may take
// while a tail is set, and then grants the successor, handing it this P
// so that it runs at once, as Ticket's Unlock hands its lock over.
func (l *QSpin) Unlock() {
	owed := l.owed.Load()
	if owed != 0 {
		l.owed.Store(0)
	}
	if l.word.Add(^uint32(0))&qLocked != 0 {
		// Adding -1 to a word whose locked bit was clear borrows from
		// pending or tail and leaves the low bit set: restore and panic.
		l.word.Add(1)
		panic("locks: unlock of unlocked qspin lock")
	}
	switch {
	case owed != 0:
		// Nobody else waits for the word: only the head takes it while a
		// tail is set.
		l.passHead(node(owed), true)
	case l.pendingSleeper.Load() != 0:
		l.wake(&l.pendingSleeper)
	case l.headSleeper.Load() != 0:
		// With no pending waiter asleep, the head may be next; if a
		// pending waiter spins, the head finds pending set and sleeps
		// again.
		l.wake(&l.headSleeper)
	}
}

// wake claims slot's sleeper, if it is still there, and wakes it on this
// goroutine's P.
func (l *QSpin) wake(slot *atomic.Uint32) {
	if sl := slot.Swap(0); sl != 0 {
		semrelease(&node(sl).sema, true, 0) // the next owner runs on this P
		l.stats.Count(Writer, Wakeups, 1)
	}
}

// tailToken implements fifoProbe: every arrival changes the word (pending
// set, or a new tail).
func (l *QSpin) tailToken() uint64 { return uint64(l.word.Load()) }
