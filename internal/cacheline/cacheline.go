// Package cacheline holds the padding unit for contended words and padded
// counters built on it.
package cacheline

import "sync/atomic"

// Size is the padding unit: the cache-line size of every amd64 and most arm64
// parts. A constant, so that padded structs have a static layout.
const Size = 64

// Uint64 is an atomic.Uint64 alone on its cache line, for per-goroutine or
// per-CPU counters kept in a slice: without the padding, neighbouring slots
// share a line and every increment becomes a coherence miss for the others.
type Uint64 struct {
	atomic.Uint64
	_ [Size - 8]byte // prevents false sharing
}

// Int64 is an atomic.Int64 alone on its cache line; see Uint64.
type Int64 struct {
	atomic.Int64
	_ [Size - 8]byte // prevents false sharing
}
