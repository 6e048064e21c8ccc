package quote

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestShort(t *testing.T) {
	assert.Equal(t, "ticket", Short("ticket"))
	s := strings.Repeat("x", Most)
	assert.Equal(t, s, Short(s))
	assert.Equal(t, s+"... (1048576 bytes)", Short(strings.Repeat("x", 1<<20)))
}
