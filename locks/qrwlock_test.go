package locks

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestQRWLockMisuseWritesNothing: an Unlock or RUnlock of an unlocked
// qrwlock panics without touching the word, whose every bit a waiting
// writer may be relying on (a subtract-then-undo check once cleared a
// waiting writer's bit, leaving it spinning forever).
func TestQRWLockMisuseWritesNothing(t *testing.T) {
	var l QRWLock
	l.RLock()
	before := l.cnts.Load()
	assert.PanicsWithValue(t, "locks: unlock of unlocked qrwlock lock", l.Unlock)
	assert.Equal(t, before, l.cnts.Load())
	l.RUnlock()
	assert.PanicsWithValue(t, "locks: runlock of unlocked qrwlock lock", l.RUnlock)
	assert.Zero(t, l.cnts.Load())
}

// TestQRWLockReaderOverflowPanics: 2^23 readers would carry out of the
// word and make it read as free; the reader that would do it panics and
// the count is left as it was.
func TestQRWLockReaderOverflowPanics(t *testing.T) {
	var l QRWLock
	full := uint32(1<<23-1) << 9
	l.cnts.Store(full)
	assert.PanicsWithValue(t, "locks: qrwlock: more than 8388607 readers", l.RLock)
	assert.Equal(t, full, l.cnts.Load())
}
