package locks

import (
	"sync"
	"sync/atomic"
	"unsafe"
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

// Node states.
const (
	mcsWaiting uint32 = iota // queued, not yet granted
	mcsParked                // queued and asleep on sema
	mcsGranted               // the predecessor handed the lock over
)

// mcsNode is one waiter's place in an MCS queue.
//
// Who touches a node, and when:
//   - Its owner takes it from mcsNodes and zeroes it with plain stores before
//     publishing it with the Swap on MCS.tail (that Swap orders the stores).
//   - Its successor, and only its successor, reads state and then stores next
//     once, after its own Swap on tail returned this node. The node cannot
//     be recycled in between: its owner's Unlock waits for next.
//   - Its predecessor swaps state to granted once, in Unlock, and releases
//     sema if the owner was asleep; it never touches the node again.
//   - Its owner reads state while waiting (CAS to parked before sleeping),
//     records the node in MCS.holder, and in Unlock loads next, hands over,
//     and returns the node to the pool. A node goes back to the pool only
//     after its successor has linked to it (next != nil) or after the CAS on
//     tail proved there is no successor, so no goroutine holds a pointer to
//     a pooled node.
//
// MCS.fast is a node too, used only by an arrival that finds the queue empty
// (CAS on tail from nil): such an owner never waits, so the node needs no
// state, and it is free again once it has left the queue, which its owner's
// Unlock ensures by clearing next before handing over.
type mcsNode struct {
	next  atomic.Pointer[mcsNode] // the successor, once it has linked in
	state atomic.Uint32           // mcsWaiting, mcsParked or mcsGranted
	sema  uint32                  // the owner sleeps here under the park policy
	_     [cacheLineSize - 16]byte // each waiter spins on its own line; prevents false sharing
}

// mcsNodes recycles queue nodes, so contended acquisitions allocate nothing
// in steady state. sync.Pool keeps per-P caches, so Get and Put are cheap and
// local.
var mcsNodes = sync.Pool{New: func() any { return new(mcsNode) }}

// MCS is the Mellor-Crummey–Scott queue lock, the basis of the kernel's
// qspinlock. Arrivals swap their node into tail and link behind the old tail;
// each waiter spins on its own node, so a release touches one waiter's cache
// line instead of every waiter's.
//
// The classic MCS API passes the node to both Lock and Unlock. To fit the
// plain Lock/Unlock interface, the holder's node is kept in the lock
// (holder), which only the holder reads or writes. An uncontended Lock uses
// the node embedded in the lock (fast), with one CAS, and its Unlock one CAS:
// the cost of a sync.Mutex. Contended arrivals take nodes from a sync.Pool.
//
// The zero value is an unlocked lock with the park policy. An MCS must not be
// copied after first use. Fairness: strict FIFO in the order of the swaps on
// tail. Waiting: as for [Ticket], a FIFO hand-off to a waiter that is not
// running stalls the lock, so under the park policy the waiter whose
// predecessor holds the lock spins, then sleeps on its node's semaphore, and
// waiters further back sleep at once; Unlock wakes a sleeping successor with
// direct hand-off.
type MCS struct {
	// tail is the last node in the queue, nil when unlocked. Invariant: the
	// queue from holder to tail is linked by next, except that a node whose
	// successor has swapped tail but not yet stored next has a nil next; Unlock
	// waits for that link. Swap and CAS on tail (arrival) and CAS on tail
	// (release with no successor) are the acquire/release pair when nobody
	// waits; the swap and load of state are the pair on a hand-off.
	tail atomic.Pointer[mcsNode]
	wait Wait // read-only after construction
	_    [cacheLineSize - 16]byte // every arrival swaps it; prevents false sharing

	// holder is the node of the goroutine holding the lock, nil when unlocked.
	// Written after acquisition and read in Unlock by the holder only; the
	// hand-off orders one holder's accesses before the next one's.
	holder *mcsNode
	_      [cacheLineSize - 8]byte // keeps the holder's writes off tail's line

	fast mcsNode
}

// Lock acquires l, queueing behind earlier arrivals.
func (l *MCS) Lock() {
	if l.tail.CompareAndSwap(nil, &l.fast) {
		l.holder = &l.fast
		return
	}
	l.lockSlow()
}

func (l *MCS) lockSlow() {
	n := mcsNodes.Get().(*mcsNode)
	*n = mcsNode{}
	pred := l.tail.Swap(n)
	if pred == nil {
		// The queue emptied between the CAS and the Swap. Mark the node
		// granted, so that a successor sees its predecessor holds the lock.
		n.state.Store(mcsGranted)
		l.holder = n
		return
	}
	predHolds := pred == &l.fast || pred.state.Load() == mcsGranted
	pred.next.Store(n)

	s := spinner{policy: l.wait.or(WaitPark)}
	if s.policy == WaitPark && !predHolds {
		l.sleep(n) // not next: at least a whole critical section away
	}
	for n.state.Load() != mcsGranted {
		if !s.spin() {
			l.sleep(n)
		}
	}
	l.holder = n
}

// sleep parks the owner of n until its predecessor grants it the lock, or
// returns at once if it has.
func (l *MCS) sleep(n *mcsNode) {
	if n.state.CompareAndSwap(mcsWaiting, mcsParked) {
		semacquire(&n.sema)
	}
	_ = n.state.Load() // granted; orders what follows after the hand-off, for the race detector too
}

// Unlock hands the lock to the next waiter, if any. It panics if l is not
// locked.
func (l *MCS) Unlock() {
	n := l.holder
	if n == nil {
		panic("locks: unlock of unlocked mcs lock")
	}
	l.holder = nil
	succ := n.next.Load()
	if succ == nil {
		if l.tail.CompareAndSwap(n, nil) {
			l.recycle(n)
			return
		}
		// A successor has swapped tail but not linked yet: wait for it.
		s := spinner{policy: WaitYield}
		for succ = n.next.Load(); succ == nil; succ = n.next.Load() {
			s.spin()
		}
	}
	if n == &l.fast {
		n.next.Store(nil) // the fast node is free for the next empty-queue arrival
	}
	if succ.state.Swap(mcsGranted) == mcsParked {
		semrelease(&succ.sema, true, 0) // direct hand-off to the new owner
	}
	l.recycle(n)
}

// recycle returns a pool node to the pool; the fast node stays in the lock.
func (l *MCS) recycle(n *mcsNode) {
	if n != &l.fast {
		mcsNodes.Put(n)
	}
}

// tailToken implements fifoProbe: tail changes with every arrival while the
// lock is held, because a new arrival's node is never the current tail.
func (l *MCS) tailToken() uint64 { return uint64(uintptr(unsafe.Pointer(l.tail.Load()))) }
