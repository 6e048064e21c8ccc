package locks

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestQSpinWordDrains checks that after contention the word is back to
// (0, 0, 0): no tail, no pending, not locked.
func TestQSpinWordDrains(t *testing.T) {
	var l QSpin
	counter := 0
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for range 2000 {
				l.Lock()
				counter++
				l.Unlock()
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 12000, counter)
	assert.Zero(t, l.word.Load())
}

func TestQSpinPendingPath(t *testing.T) {
	var l QSpin
	l.Lock()
	done := make(chan struct{})
	go func() { l.Lock(); l.Unlock(); close(done) }()
	for l.word.Load() != qLocked|qPending {
		yieldNow()
	}
	l.Unlock()
	<-done
	assert.Zero(t, l.word.Load())
}
