package counter

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/lockbench/lockbench/internal/cacheline"
)

// TestPadding asserts the lock guards' layout: the lock and its settings, then a
// line of padding before the value every holder writes, then another.
func TestPadding(t *testing.T) {
	for _, v := range []any{lockGuard{}, brokenLockGuard{}, rwGuard{}, tokenGuard{}, seqGuard{}} { // atomicStore and shardedStore use cacheline.Int64
		assert.NoError(t, cacheline.EndsPadded(v))
	}
}
