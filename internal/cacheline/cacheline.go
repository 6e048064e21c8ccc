// Package cacheline is lockbench's one padding unit for contended words and
// the padded counters built on it.
//
// Padding is written as a field of [Pad] after the words that must keep a
// line to themselves, as x/sys/cpu and the Go runtime write it, never as
// [Size - n]byte with n counted by hand: adding a field can then not
// silently break the layout. Every padded type's tests check it with
// [Check].
package cacheline

import (
	"fmt"
	"reflect"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// Pad is one cache line of padding (64 bytes on amd64, the line of the
// architecture elsewhere): a field of it keeps what follows off the line of
// what precedes it.
type Pad = cpu.CacheLinePad

// Size is the padding unit, the size of Pad.
const Size = unsafe.Sizeof(Pad{})

// Uint64 is an atomic.Uint64 followed by a line of padding, for
// per-goroutine or per-CPU counters kept in a slice: without it,
// neighbouring slots share a line and every increment becomes a coherence
// miss for the others.
type Uint64 struct {
	atomic.Uint64
	_ Pad // prevents false sharing
}

// Int64 is an atomic.Int64 followed by a line of padding; see Uint64.
type Int64 struct {
	atomic.Int64
	_ Pad // prevents false sharing
}

// Check reports whether the struct v is padded as this package asks: its
// first fields, the contended words, are followed by a Pad field, so that
// nothing after them shares their line. Fields after a Pad are either
// padded in turn or cold (written rarely, never spun on). Tests call it
// for every padded type, beside an assertion of its alignment; types kept
// in slices must also end with a Pad (see EndsPadded).
func Check(v any) error {
	t := reflect.TypeOf(v)
	if t.Kind() != reflect.Struct || t.NumField() < 2 {
		return fmt.Errorf("cacheline: %v is not a struct with fields and padding", t)
	}
	if isPad(t.Field(0)) {
		return fmt.Errorf("cacheline: %v starts with padding", t)
	}
	for i := 1; i < t.NumField(); i++ {
		if isPad(t.Field(i)) {
			return nil
		}
	}
	return fmt.Errorf("cacheline: %v has no Pad after its first fields", t)
}

// EndsPadded reports whether the struct v ends with a Pad, as a type whose
// values sit side by side in a slice must, so that each element's words
// keep their line from the next element's.
func EndsPadded(v any) error {
	t := reflect.TypeOf(v)
	if err := Check(v); err != nil {
		return err
	}
	if !isPad(t.Field(t.NumField() - 1)) {
		return fmt.Errorf("cacheline: %v does not end with a Pad", t)
	}
	return nil
}

func isPad(f reflect.StructField) bool { return f.Type == reflect.TypeOf(Pad{}) }
