package locks

import _ "unsafe" // for go:linkname

// The runtime's semaphores, the ones sync.Mutex parks on. The runtime keeps
// these two linkable for packages outside the standard library
// (go.dev/issue/67401: "Do not remove or change the type signature").
//
// semacquire blocks until *addr > 0, then decrements it. semrelease
// increments *addr and wakes one waiter; with handoff, the woken goroutine
// runs at once on the caller's P (the caller yields), as sync.Mutex's
// starvation mode hands the lock to the next waiter.

//
// # Happens-before through the semaphores
//
// Go's atomics are sequentially consistent, and the race detector sees
// their edges: an atomic store happens before the atomic load that observes
// it. It does not see the edges through these linknamed semaphores
// (sync's own uses are annotated inside the standard library; ours cannot
// be). So no hand-off may rest on a semaphore alone: in each, the releaser
// publishes with an atomic store before semrelease, and the sleeper reads
// the same word with an atomic load after semacquire. The edges, one per
// sleeping place:
//
//   - parking (wait.go; tas, ttas): Unlock's Swap(0) on the lock word, then
//     wake's semrelease; sleep's semacquire, then `_ = word.Load()`. The
//     sleeper's next acquisition attempt is itself an atomic on the word,
//     so this load only makes the pairing explicit.
//   - queue nodes (nodes.go; mcs, qspin): grant's Swap(qGranted) on the
//     node's state, then semrelease; sleepUntilGranted's semacquire, then
//     `_ = n.state.Load()`, which observes qGranted.
//   - ticket slots (ticket.go): Unlock's Add on owner, then the slot's CAS
//     and semrelease; after semacquire the waiter's loop re-reads the word
//     and sees owner equal to its ticket: that load is the pairing.
//
// The load after sleepUntilGranted's semacquire looks useless (its value
// is known) and must not be deleted: an MCS or qspin waiter woken there
// touches no other atomic that the granter wrote before it runs its
// critical section, so without it the race detector would report the
// counter that the lock guards as a race.

//go:linkname semacquire sync.runtime_Semacquire
func semacquire(addr *uint32)

//go:linkname semrelease sync.runtime_Semrelease
func semrelease(addr *uint32, handoff bool, skipframes int)

// The runtime keeps cheaprand linkable for packages outside the standard
// library (go.dev/issue/67401: "Do not remove or change the type
// signature"): a per-M generator, a nanosecond, where a per-P counter costs
// a pin of the P. It decides which waits the statistics time.
//
//go:linkname cheaprand runtime.cheaprand
func cheaprand() uint32
