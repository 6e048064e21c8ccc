package cacheline

import (
	"testing"
	"unsafe"
)

func TestPaddedCounters(t *testing.T) {
	if Size < 64 {
		t.Fatalf("Size = %d, want a cache line", Size)
	}
	for _, v := range []any{Uint64{}, Int64{}} {
		if err := EndsPadded(v); err != nil {
			t.Error(err)
		}
	}
	if got := unsafe.Sizeof(Uint64{}); got != 8+Size {
		t.Errorf("Sizeof(Uint64) = %d, want %d", got, 8+Size)
	}
	// In a slice, two counters are a full line apart.
	s := make([]Int64, 2)
	if d := uintptr(unsafe.Pointer(&s[1])) - uintptr(unsafe.Pointer(&s[0])); d < Size {
		t.Errorf("neighbours %d bytes apart", d)
	}
}

func TestCheckCatches(t *testing.T) {
	type unpadded struct{ a, b uint64 }
	type padFirst struct {
		_ Pad
		a uint64
	}
	type coldAfter struct {
		a uint64
		_ Pad
		b uint64
	}
	for _, v := range []any{unpadded{a: 1, b: 2}, padFirst{a: 1}, 3} {
		if Check(v) == nil {
			t.Errorf("Check(%T) = nil", v)
		}
	}
	if err := Check(coldAfter{a: 1, b: 2}); err != nil {
		t.Error(err)
	}
	if EndsPadded(coldAfter{a: 1, b: 2}) == nil {
		t.Error("EndsPadded(coldAfter) = nil")
	}
}
