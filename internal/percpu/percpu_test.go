package percpu

import (
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/lockbench/lockbench/internal/race"
)

func TestIDInRange(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for range 4 * procs {
		wg.Go(func() {
			for range 1000 {
				id := ID()
				if id < 0 || id >= procs {
					assert.Fail(t, "P id out of range", "id %d, GOMAXPROCS %d", id, procs)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestIDAllocatesNothing(t *testing.T) {
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = ID() }))
}

func TestPinOwnsItsSlot(t *testing.T) {
	// Plain increments of the pinned P's slot lose nothing: while pinned,
	// no other goroutine runs on that P. (Under -race the detector cannot
	// know that, so the check uses atomics there; see locks.Stats.)
	if race.Enabled {
		t.Skip("plain per-P increments are invisible to the race detector's model")
	}
	procs := runtime.GOMAXPROCS(0)
	slots := make([]struct {
		n uint64
		_ [56]byte
	}, procs)
	var wg sync.WaitGroup
	const each = 100000
	for range 4 * procs {
		wg.Go(func() {
			for range each {
				id := Pin()
				slots[id].n++
				Unpin()
			}
		})
	}
	wg.Wait()
	var sum uint64
	for _, s := range slots {
		sum += s.n
	}
	assert.Equal(t, uint64(4*procs*each), sum)
}
