// Package clock reads the runtime's monotonic clock without the wall clock
// that time.Now also reads: half the cost where a clock read is a system
// call's worth (tens of ns on a virtual machine without a usable vDSO
// clock), which matters to anything that times a lock's wait or hold.
package clock

import _ "unsafe" // for go:linkname

// The runtime keeps nanotime linkable for packages outside the standard
// library (go.dev/issue/67401: "Do not remove or change the type
// signature").

//go:linkname nanotime runtime.nanotime
func nanotime() int64

// Nanotime returns the monotonic clock in nanoseconds since an arbitrary
// start: only differences of two readings mean anything.
func Nanotime() int64 { return nanotime() }
