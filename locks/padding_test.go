package locks

import (
	"reflect"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"

	"github.com/lockbench/lockbench/internal/cacheline"
)

// TestPadding asserts every padded type's layout, as xsync's tests do: the
// contended words are followed by a full line, and 64-bit words are
// 8-byte aligned. Adding a field cannot break it in silence.
func TestPadding(t *testing.T) {
	for _, tc := range []struct {
		v     any
		align uintptr
	}{
		{Mutex{}, 4}, {RWMutex{}, 4}, {TAS{}, 4}, {TTAS{}, 4}, {Ticket{}, 8},
		{MCS{}, 4}, {QSpin{}, 4}, {Busted{}, 4}, {qnode{}, 4},
	} {
		assert.NoError(t, cacheline.Check(tc.v))
		assert.GreaterOrEqual(t, uintptr(reflect.TypeOf(tc.v).Align()), tc.align, "%T", tc.v)
	}
	// Queue nodes live in an arena slice: neighbours' words a line apart.
	assert.NoError(t, cacheline.EndsPadded(qnode{}))
	assert.GreaterOrEqual(t, unsafe.Sizeof(qnode{}), cacheline.Size+8)
}
