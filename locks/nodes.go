package locks

import (
	"sync"
	"sync/atomic"

	"github.com/lockbench/lockbench/internal/cacheline"
)

// Queue nodes for the MCS-style locks (mcs, qspin), named by 32-bit index
// rather than by pointer.
//
// Why indexes: Go's atomic operations on pointers go through the garbage
// collector's write barrier and are calls, not single instructions; an
// uncontended MCS acquisition with a pointer tail costs about three times a
// sync.Mutex. With 32-bit indexes the tail is a plain integer (and fits in a
// qspinlock word, as the kernel encodes its per-CPU node as an index), and
// every atomic is one instruction.
//
// Nodes live in an arena of fixed-size chunks that grows and never shrinks,
// so an index stays valid forever and the garbage collector never frees a
// node a waiter may still touch. Free nodes are kept in a sync.Pool (per-P
// caches, so taking and returning a node is cheap and local); a node the pool
// drops stays in the arena, unused. Index 0 is never used: 0 means "no node".

const (
	nodeChunkBits = 10
	nodeChunkSize = 1 << nodeChunkBits
	maxNodeChunks = 1 << 16 // 64 Ki chunks of 1 Ki nodes: 2^26 nodes, far more than waiters
)

// qnode is one waiter's place in a queue.
type qnode struct {
	next  atomic.Uint32 // the successor's index, once it has linked in; 0 before
	state atomic.Uint32 // qWaiting, qParked or qGranted
	sema  uint32        // the owner sleeps here under the park policy
	idx   uint32        // this node's index; read-only
	_     cacheline.Pad // each waiter spins on its own line; prevents false sharing
}

// Node states.
const (
	qWaiting uint32 = iota // queued, not yet granted
	qParked                // queued and asleep on sema
	qGranted               // the predecessor handed over
)

var nodeArena struct {
	mu     sync.Mutex // serialises growth
	chunks [maxNodeChunks]atomic.Pointer[[nodeChunkSize]qnode]
	n      uint32 // indexes handed out so far, index 0 included; guarded by mu
}

var freeNodes = sync.Pool{New: func() any { return newNode() }}

// newNode takes a fresh index from the arena, growing it by a chunk when
// needed.
func newNode() *qnode {
	nodeArena.mu.Lock()
	defer nodeArena.mu.Unlock()
	if nodeArena.n == 0 {
		nodeArena.n = 1 // index 0 means "no node"
	}
	i := nodeArena.n
	c := i >> nodeChunkBits
	if c >= maxNodeChunks {
		panic("locks: out of queue nodes")
	}
	chunk := nodeArena.chunks[c].Load()
	if chunk == nil {
		chunk = new([nodeChunkSize]qnode)
		nodeArena.chunks[c].Store(chunk)
	}
	nodeArena.n++
	n := &chunk[i&(nodeChunkSize-1)]
	n.idx = i
	return n
}

// node returns the node of index i (not 0).
func node(i uint32) *qnode {
	return &nodeArena.chunks[i>>nodeChunkBits].Load()[i&(nodeChunkSize-1)]
}

// getNode takes a free node, reset to waiting with no successor. The reset
// is plain stores: the node's last users finished before it went back to the
// pool (the pool orders that), and its owner publishes it with an atomic
// operation on a lock word, which orders these stores before any other
// goroutine sees it.
func getNode() *qnode {
	n := freeNodes.Get().(*qnode)
	*n = qnode{idx: n.idx}
	return n
}

// putNode returns a node that no goroutine can reach any more.
func putNode(n *qnode) { freeNodes.Put(n) }

// grant hands the lock (or, in qspin, the head of the queue) to the owner of
// n, waking it if it sleeps. With handoff, the woken goroutine runs at once
// on this P: right for a releaser, wrong for a holder, who must keep running
// to release.
func grant(n *qnode, handoff bool) (woke bool) {
	if n.state.Swap(qGranted) == qParked {
		semrelease(&n.sema, handoff, 0)
		return true
	}
	return false
}

// waitGranted waits, under policy, until n's predecessor grants it the
// lock. A waiter that is not next in line (predHolds false) sleeps at once
// under the park policy: a whole critical section stands between it and the
// lock.
func waitGranted(n *qnode, s *spinner, predHolds bool) {
	if s.policy == WaitPark && !predHolds {
		sleepUntilGranted(n, s)
	}
	for n.state.Load() != qGranted {
		if !s.spin() {
			sleepUntilGranted(n, s)
		}
	}
}

// sleepUntilGranted parks the owner of n until it is granted, or returns at
// once if it has been.
func sleepUntilGranted(n *qnode, s *spinner) {
	if n.state.CompareAndSwap(qWaiting, qParked) {
		s.parks++
		semacquire(&n.sema)
	}
	_ = n.state.Load() // granted; orders what follows after the hand-off, for the race detector too
}

// awaitLink waits for a successor that has swapped itself into the tail to
// store its index in next, and returns it. The window is a few instructions
// of the successor's; it yields in case the successor was preempted there.
func awaitLink(next *atomic.Uint32) uint32 {
	s := spinner{policy: WaitYield}
	succ := next.Load()
	for ; succ == 0; succ = next.Load() {
		s.spin()
	}
	return succ
}
