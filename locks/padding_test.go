package locks

import (
	"reflect"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"

	"github.com/lockbench/lockbench/internal/cacheline"
)

// TestPadding asserts the layout of every registered lock's type, and of
// the queue nodes, as xsync's tests do: the contended words are followed by
// a full line, and a type with 64-bit atomics is 8-byte aligned. A new
// strategy is covered by registering it; adding a field cannot break the
// layout in silence.
func TestPadding(t *testing.T) {
	for _, ops := range All() {
		typ := reflect.TypeOf(ops.New()).Elem()
		zero := reflect.New(typ).Elem().Interface()
		assert.NoError(t, cacheline.Check(zero), ops.Name)
		if has64BitAtomic(typ) {
			assert.Equal(t, 8, typ.Align(), "%v holds a 64-bit atomic", typ)
		}
	}
	// Queue nodes live in an arena slice: neighbours' words a line apart.
	assert.NoError(t, cacheline.EndsPadded(qnode{}))
	assert.GreaterOrEqual(t, unsafe.Sizeof(qnode{}), cacheline.Size+8)
}

// has64BitAtomic reports whether a struct type has a field of a 64-bit
// atomic type at its top level.
func has64BitAtomic(typ reflect.Type) bool {
	for i := range typ.NumField() {
		switch typ.Field(i).Type.String() {
		case "atomic.Uint64", "atomic.Int64":
			return true
		}
	}
	return false
}
