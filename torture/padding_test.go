package torture

import (
	"testing"

	"github.com/lockbench/lockbench/internal/cacheline"
)

func TestPadding(t *testing.T) {
	if err := cacheline.EndsPadded(state{}); err != nil {
		t.Error(err)
	}
}
