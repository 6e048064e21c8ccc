package locks

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/lockbench/lockbench/internal/locktest"
)

// TestQSpinWordDrains checks that after contention the word is back to
// (0, 0, 0): no tail, no pending, not locked.
func TestQSpinWordDrains(t *testing.T) {
	var l QSpin
	assert.Equal(t, 12000, locktest.Hammer(&l, 6, 2000))
	assert.Zero(t, l.word.Load())
}

func TestQSpinPendingPath(t *testing.T) {
	var l QSpin
	l.Lock()
	done := make(chan struct{})
	go func() {
		l.Lock()
		//lint:ignore SA2001 the waiter only needs to pass through the lock
		l.Unlock()
		close(done)
	}()
	for l.word.Load() != qLocked|qPending {
		runtime.Gosched()
	}
	l.Unlock()
	<-done
	assert.Zero(t, l.word.Load())
}
