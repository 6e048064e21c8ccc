package bench

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/lockbench/lockbench/internal/cacheline"
)

// TestPadding: the limiter's words, which every worker reads, and each
// worker's counters, kept side by side in a slice, own their lines.
func TestPadding(t *testing.T) {
	assert.NoError(t, cacheline.EndsPadded(limiter{}))
	assert.NoError(t, cacheline.EndsPadded(worker{}))
}
