package work

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSteps(t *testing.T) {
	assert.Zero(t, Steps(0))
	assert.Zero(t, Steps(-time.Second))
	small, large := Steps(100*time.Nanosecond), Steps(100*time.Microsecond)
	assert.GreaterOrEqual(t, small, 1)
	// Proportional, whatever the machine's speed (no timing threshold).
	assert.InDelta(t, float64(small)*1000, float64(large), float64(large)/100+1000)
}

// BenchmarkSpin shows how long a 100ns critical section's loop really takes:
// compare ns/op with 100.
func BenchmarkSpin(b *testing.B) {
	n := Steps(100 * time.Nanosecond)
	for b.Loop() {
		Spin(n)
	}
}
