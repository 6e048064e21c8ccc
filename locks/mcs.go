package locks

import (
	"sync/atomic"

	"github.com/lockbench/lockbench/internal/cacheline"
)

func init() {
	Register(Ops{
		Name:    "mcs",
		Doc:     "MCS queue lock: each waiter spins on its own node; FIFO; next in line spins, then parks; later waiters park at once",
		FIFO:    true,
		New:     func() Lock { return new(MCS) },
		Waits:   []Wait{WaitPark, WaitSpin, WaitYield},
		NewWait: func(w Wait) Lock { return &MCS{wait: w} },
	})
}

var (
	_ Lock      = (*MCS)(nil)
	_ fifoProbe = (*MCS)(nil)
)

// mcsFast is the tail (and holder) value of the lock's own node: the node of
// an arrival that found the queue empty.
const mcsFast = ^uint32(0)

// MCS is the Mellor-Crummey–Scott queue lock, the basis of the kernel's
// qspinlock. Arrivals swap their node into tail and link behind the old tail;
// each waiter spins on its own node, so a release touches one waiter's cache
// line instead of every waiter's.
//
// The classic MCS API passes the node to both Lock and Unlock. To fit the
// plain Lock/Unlock interface, the holder's node is kept in the lock
// (holder), which only the holder reads or writes. Nodes are named by 32-bit
// index (see nodes.go): pointer atomics would cost a write barrier call each.
// An arrival that finds the queue empty needs no node from the pool: it takes
// the lock's own node (mcsFast) with one CAS, and its Unlock is one CAS, the
// cost of a sync.Mutex. Contended arrivals take pooled nodes.
//
// Who touches a node, and when:
//   - Its owner takes it from the pool and resets it before publishing it
//     with the Swap on tail (that Swap orders the resets).
//   - Its successor, and only its successor, reads state and then stores next
//     once, after its own Swap on tail returned this node. The node cannot
//     be recycled in between: its owner's Unlock waits for next.
//   - Its predecessor swaps state to granted once, in Unlock, and releases
//     sema if the owner sleeps; it never touches the node again.
//   - Its owner reads state while waiting (CAS to parked before sleeping),
//     records the node in holder, and in Unlock loads next, hands over, and
//     returns the node to the pool. A node goes back to the pool only after
//     its successor has linked to it (next != 0) or after the CAS on tail
//     proved there is no successor, so nobody holds a pooled node's index.
//     The lock's own node is free again once its owner's Unlock has cleared
//     fastNext, before it hands over.
//
// The zero value is an unlocked lock with the park policy. An MCS must not be
// copied after first use. Fairness: strict FIFO in the order of the swaps on
// tail. Waiting: as for [Ticket], a FIFO hand-off to a waiter that is not
// running stalls the lock, so under the park policy the waiter whose
// predecessor holds the lock spins, then sleeps on its node's semaphore;
// waiters further back sleep at once; Unlock wakes a sleeping successor with
// direct hand-off.
type MCS struct {
	// tail is the index of the last node in the queue, 0 when unlocked,
	// mcsFast for the lock's own node. Invariant: the queue from holder to
	// tail is linked by next, except that a node whose successor has swapped
	// tail but not yet linked has next 0; Unlock waits for that link. The CAS
	// and Swap on tail (arrival) and the CAS on tail (release with no
	// successor) are the acquire/release pair when nobody waits; the swap and
	// load of a node's state are the pair on a hand-off.
	tail atomic.Uint32

	// fastNext is the successor of the lock's own node, as qnode.next.
	fastNext atomic.Uint32

	// holder is the holder's pooled node index; 0 when the holder uses the
	// lock's own node, or when nobody holds the lock (tail is then 0). Written
	// after a pooled acquisition and read in Unlock by the holder only; the
	// hand-off orders one holder's accesses before the next one's. The
	// uncontended path never writes it.
	//
	// holder and fastNext share tail's line: an uncontended Lock and Unlock
	// then touch one line, as sync.Mutex does. Under contention the holder's
	// writes meet arrivals' swaps on that line, once per acquisition.
	holder uint32

	stats *Stats        // nil unless statistics are on; read-only after Instrument
	wait  Wait          // read-only after construction
	_     cacheline.Pad // prevents false sharing with neighbours
}

// Lock acquires l, queueing behind earlier arrivals.
func (l *MCS) Lock() {
	if l.tail.CompareAndSwap(0, mcsFast) {
		return // holder stays 0: the lock's own node
	}
	l.lockSlow(false)
}

// LockRecording implements RecordingLock.
func (l *MCS) LockRecording() WaitRecord {
	if l.tail.CompareAndSwap(0, mcsFast) {
		return 0
	}
	return l.lockSlow(true)
}

func (l *MCS) lockSlow(recording bool) WaitRecord {
	var s spinner
	s.init(l.stats, l.wait.or(WaitPark), Writer, recording)
	n := getNode()
	pred := l.tail.Swap(n.idx)
	if pred == 0 {
		// The queue emptied between the CAS and the Swap. Mark the node
		// granted, so that a successor sees its predecessor holds the lock.
		n.state.Store(qGranted)
		l.holder = n.idx
		return s.done(Contentions)
	}
	predHolds := pred == mcsFast || node(pred).state.Load() == qGranted
	l.nextOf(pred).Store(n.idx)
	waitGranted(n, &s, predHolds)
	l.holder = n.idx
	s.extra, s.handoff = Queued, true // granted by the predecessor
	return s.done(Contentions)
}

func (l *MCS) setStats(s *Stats) { l.stats = s }

// nextOf returns the next field of node i, the lock's own node included.
func (l *MCS) nextOf(i uint32) *atomic.Uint32 {
	if i == mcsFast {
		return &l.fastNext
	}
	return &node(i).next
}

// Unlock hands the lock to the next waiter, if any. It panics if l is not
// locked.
func (l *MCS) Unlock() {
	h := l.holder
	if h == 0 {
		// No successor has swapped tail (a successor links only after it
		// has), so tail is still ours: the uncontended case, free of calls.
		if l.tail.CompareAndSwap(mcsFast, 0) {
			return
		}
		if l.tail.Load() == 0 {
			panic("locks: unlock of unlocked mcs lock")
		}
		h = mcsFast
	}
	l.holder = 0
	l.unlockSlow(h)
}

func (l *MCS) unlockSlow(h uint32) {
	next := l.nextOf(h)
	succ := next.Load()
	if succ == 0 {
		if l.tail.CompareAndSwap(h, 0) {
			l.recycle(h)
			return
		}
		// A successor has swapped tail but not linked yet: wait for it.
		succ = awaitLink(next)
	}
	if h == mcsFast {
		l.fastNext.Store(0) // the lock's node is free for the next empty-queue arrival
	}
	if grant(node(succ), true) { // direct hand-off (the successor counts it): we no longer hold the lock
		l.stats.Count(Writer, Wakeups, 1)
	}
	l.recycle(h)
}

// recycle returns a pooled node; the lock's own node stays.
func (l *MCS) recycle(i uint32) {
	if i != mcsFast {
		putNode(node(i))
	}
}

// tailToken implements fifoProbe: tail changes with every arrival while the
// lock is held, because a new arrival's node is never the current tail.
func (l *MCS) tailToken() uint64 { return uint64(l.tail.Load()) }
