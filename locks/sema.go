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

//go:linkname semacquire sync.runtime_Semacquire
func semacquire(addr *uint32)

//go:linkname semrelease sync.runtime_Semrelease
func semrelease(addr *uint32, handoff bool, skipframes int)
