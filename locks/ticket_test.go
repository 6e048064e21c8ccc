package locks

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/internal/locktest"
)

// TestTicketWraparound starts both counters just below 2^32 and checks that
// the lock stays exact and FIFO-consistent as owner and next wrap, and that
// owner's wrap does not carry into next.
func TestTicketWraparound(t *testing.T) {
	start := uint64(math.MaxUint32 - 100)
	l := &Ticket{}
	l.word.Store(start<<32 | start)

	assert.Equal(t, 400, locktest.Hammer(l, 4, 100))
	w := l.word.Load()
	assert.Equal(t, uint32(start+400), uint32(w>>32), "next wrapped to start+400")
	assert.Equal(t, uint32(w>>32), uint32(w), "unlocked: owner == next")
	assert.PanicsWithValue(t, "locks: unlock of unlocked ticket lock", l.Unlock)
}

func TestTicketOwnerWrapDoesNotCarry(t *testing.T) {
	l := &Ticket{}
	l.word.Store(math.MaxUint32<<32 | math.MaxUint32)
	l.Lock() // next wraps to 0
	require.Equal(t, uint64(0)<<32|math.MaxUint32, l.word.Load())
	l.Unlock() // owner wraps to 0 with no carry into next
	assert.Equal(t, uint64(0), l.word.Load())
}
