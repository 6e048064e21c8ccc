package counter_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/counter"
	"github.com/lockbench/lockbench/locks"
)

func TestGuards(t *testing.T) {
	guards := counter.Guards()
	assert.Equal(t, append(locks.Names(), "atomic", "sharded"), guards)
	assert.NotContains(t, guards, "busted", "the broken lock is for checks, not for the counter")
}

func TestNewUnknownGuard(t *testing.T) {
	for _, name := range []string{"spinny", "busted", ""} {
		_, err := counter.New(name)
		var unknown *counter.UnknownGuardError
		require.ErrorAs(t, err, &unknown, name)
		assert.Contains(t, err.Error(), "valid: mcs, mutex")
		assert.Contains(t, err.Error(), "atomic, sharded; a lock may take a waiting policy")
	}
}

// TestCounterExact hammers every guard's Go methods from many goroutines.
func TestCounterExact(t *testing.T) {
	for _, guard := range counter.Guards() {
		t.Run("lock="+guard, func(t *testing.T) {
			c, err := counter.New(guard)
			require.NoError(t, err)
			assert.Equal(t, guard, c.Guard())
			const g, each = 8, 2000
			var wg sync.WaitGroup
			for i := range g {
				wg.Go(func() {
					for j := range each {
						switch {
						case i%2 == 0:
							c.Inc()
						case j%4 == 0:
							_ = c.Value()
						default:
							c.Dec()
						}
					}
				})
			}
			wg.Wait()
			// 4 incrementers x 2000, 4 decrementers x 1500.
			assert.Equal(t, int64(4*each-4*each*3/4), c.Value())
			c.Add(-c.Value())
			assert.Zero(t, c.Value())
		})
	}
}

func TestCriticalSectionWork(t *testing.T) {
	for _, guard := range counter.Guards() {
		c, err := counter.New(guard, counter.WithCriticalSection(100*time.Nanosecond))
		require.NoError(t, err)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 200 {
					c.Inc()
				}
			})
		}
		wg.Wait()
		assert.Equal(t, int64(800), c.Value(), guard)
	}
}

// TestBrokenGuardLosesUpdates checks the negative control: behind busted,
// concurrent increments get lost (bounded by a deadline, not a threshold).
func TestBrokenGuardLosesUpdates(t *testing.T) {
	c, err := counter.New("busted", counter.AllowBroken())
	require.NoError(t, err)
	deadline := time.Now().Add(30 * time.Second)
	var issued int64
	for c.Value() == issued && time.Now().Before(deadline) {
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 10000 {
					c.Inc()
				}
			})
		}
		wg.Wait()
		issued += 8 * 10000
	}
	assert.Less(t, c.Value(), issued, "busted lost no update in %d increments", issued)
}

func TestGuardWithWaitingPolicy(t *testing.T) {
	c, err := counter.New("ticket:yield")
	require.NoError(t, err)
	c.Inc()
	assert.Equal(t, int64(1), c.Value())
	assert.NoError(t, counter.CheckGuard("mcs:spin", false))
	assert.Error(t, counter.CheckGuard("mutex:park", false), "mutex has no waiting policies")
}
