package percpu

import (
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
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
