package clock

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestNanotimeAdvancesWithTime(t *testing.T) {
	t0, w0 := Nanotime(), time.Now()
	time.Sleep(2 * time.Millisecond)
	t1, w1 := Nanotime(), time.Now()
	elapsed := w1.Sub(w0)
	assert.GreaterOrEqual(t, t1-t0, int64(2*time.Millisecond))
	// Both are the same monotonic clock: they agree to within the two reads' distance.
	assert.InDelta(t, float64(elapsed), float64(t1-t0), float64(time.Millisecond))
}
