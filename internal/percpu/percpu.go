// Package percpu tells a goroutine which P (the runtime's processor, Go's
// nearest thing to a CPU) it is running on, so that per-CPU-style data can
// be indexed the way the kernel's this_cpu_ptr indexes it.
package percpu

import _ "unsafe" // for go:linkname

// The runtime keeps procPin and procUnpin linkable for packages outside the
// standard library (go.dev/issue/67401: "Do not remove or change the type
// signature"). procPin disables preemption and returns the current P's id.
// They make no happens-before edge: ID's callers update their slot with an
// atomic, Pin's callers own their slot while pinned.

//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()

// ID returns the id of the P the calling goroutine is running on, in
// [0, GOMAXPROCS). The goroutine may move to another P as soon as ID returns,
// so the id is a hint for spreading load across per-P slots (each slot must
// still be updated atomically), never a basis for exclusion.
func ID() int {
	id := procPin()
	procUnpin()
	return id
}

// Pin disables preemption and returns the id of the P the goroutine runs
// on, in [0, GOMAXPROCS), until Unpin. While pinned, no other goroutine runs
// on that P, so a per-P slot indexed by the id is the caller's alone: it can
// be updated with plain loads and stores, as the kernel updates per-CPU data
// with preemption off (this_cpu_inc). The caller must not block, and must
// call Unpin soon.
func Pin() int { return procPin() }

// Unpin ends Pin.
func Unpin() { procUnpin() }
