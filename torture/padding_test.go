package torture

import (
	"testing"

	"github.com/lockbench/lockbench/internal/cacheline"
)

func TestPadding(t *testing.T) {
	if err := cacheline.Check(state{}); err != nil {
		t.Error(err)
	}
	// Writers' slots are kept in a slice: each ends with a line of its own.
	if err := cacheline.EndsPadded(writer{}); err != nil {
		t.Error(err)
	}
}
