//go:build race

// Package race reports whether the race detector is on. Tests that count
// allocations skip under it: the race runtime allocates, and sync.Pool drops
// a quarter of its items on purpose.
package race

// Enabled is true in a -race build.
const Enabled = true
