package locks

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/lockbench/lockbench/internal/locktest"
	"github.com/lockbench/lockbench/internal/race"
)

func TestMCSNoAllocationInSteadyState(t *testing.T) {
	if race.Enabled {
		t.Skip("sync.Pool drops items on purpose under -race")
	}
	var l MCS
	allocs := testing.AllocsPerRun(1000, func() {
		l.Lock()
		//lint:ignore SA2001 an uncontended Lock/Unlock pair is what is measured
		l.Unlock()
	})
	assert.Zero(t, allocs)
}

func TestMCSQueueDrains(t *testing.T) {
	var l MCS
	assert.Equal(t, 4000, locktest.Hammer(&l, 8, 500))
	assert.Zero(t, l.tail.Load(), "no node left queued")
	assert.Zero(t, l.holder, "no holder left")
	assert.Zero(t, l.fastNext.Load(), "the lock's own node is free")
}
