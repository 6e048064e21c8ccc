package locks

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

func init() {
	Register(Ops{
		Name: "mcs",
		Doc:  "MCS queue lock: each waiter spins on its own pooled node; FIFO; spin, then Gosched",
		FIFO: true,
		New:  func() Lock { return new(MCS) },
	})
}

var (
	_ Lock      = (*MCS)(nil)
	_ fifoProbe = (*MCS)(nil)
)

// mcsNode is one waiter's place in an MCS queue.
//
// Who touches a node, and when:
//   - Its owner takes it from mcsNodes and zeroes it with plain stores before
//     publishing it with the Swap on MCS.tail (that Swap orders the stores).
//   - Its successor, and only its successor, stores next once, after its own
//     Swap on tail returned this node.
//   - Its predecessor stores granted once, in Unlock, and never touches the
//     node again.
//   - Its owner loads granted while waiting, records the node in MCS.holder,
//     and in Unlock loads next, hands over, and returns the node to the pool.
//     A node goes back to the pool only after its successor has linked to it
//     (next != nil) or after the CAS on tail proved there is no successor, so
//     no goroutine holds a pointer to a pooled node.
type mcsNode struct {
	next    atomic.Pointer[mcsNode]  // the successor, once it has linked in
	granted atomic.Uint32            // 1 once the predecessor has handed over
	_       [cacheLineSize - 16]byte // each waiter spins on its own line; prevents false sharing
}

// mcsNodes recycles queue nodes, so steady-state acquisitions allocate
// nothing. sync.Pool keeps per-P caches, so Get and Put are cheap and local.
var mcsNodes = sync.Pool{New: func() any { return new(mcsNode) }}

// MCS is the Mellor-Crummey–Scott queue lock, the basis of the kernel's
// qspinlock. Arrivals swap their node into tail and link behind the old tail;
// each waiter spins on its own node, so a release touches one waiter's cache
// line instead of every waiter's.
//
// The classic MCS API passes the node to both Lock and Unlock. To fit the
// plain Lock/Unlock interface, nodes come from a sync.Pool and the holder's
// node is kept in the lock (holder), which only the holder reads or writes.
//
// The zero value is an unlocked lock. An MCS must not be copied after first
// use. Fairness: strict FIFO in the order of the Swaps on tail. Waiting: spin
// on the own node, then runtime.Gosched. As with Ticket, a hand-off to a
// waiter that is not running waits until it runs.
type MCS struct {
	// tail is the last node in the queue, nil when unlocked. Invariant: the
	// queue from holder to tail is linked by next, except that a node whose
	// successor has swapped tail but not yet stored next has a nil next; Unlock
	// waits for that link. Swap (arrival) and CompareAndSwap (release with no
	// successor) are the acquire/release pair when nobody waits; the store and
	// load of granted are the pair on a hand-off.
	tail atomic.Pointer[mcsNode]
	_    [cacheLineSize - 8]byte // every arrival swaps it; prevents false sharing

	// holder is the node of the goroutine holding the lock, nil when unlocked.
	// Written after acquisition and read in Unlock by the holder only; the
	// hand-off orders one holder's accesses before the next one's.
	holder *mcsNode
	_      [cacheLineSize - 8]byte // keeps the holder's writes off tail's line
}

// Lock acquires l, queueing behind earlier arrivals.
func (l *MCS) Lock() {
	n := mcsNodes.Get().(*mcsNode)
	*n = mcsNode{}
	if pred := l.tail.Swap(n); pred != nil {
		pred.next.Store(n)
		var w spinWait
		for n.granted.Load() == 0 {
			w.wait()
		}
	}
	l.holder = n
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
			mcsNodes.Put(n)
			return
		}
		// A successor has swapped tail but not linked yet: wait for it.
		var w spinWait
		for succ = n.next.Load(); succ == nil; succ = n.next.Load() {
			w.wait()
		}
	}
	succ.granted.Store(1)
	mcsNodes.Put(n)
}

// tailToken implements fifoProbe: tail changes with every arrival while the
// lock is held, because a new arrival's node is never the current tail.
func (l *MCS) tailToken() uint64 { return uint64(uintptr(unsafe.Pointer(l.tail.Load()))) }
