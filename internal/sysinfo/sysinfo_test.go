package sysinfo

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDescribe(t *testing.T) {
	got := map[string]string{}
	var keys []string
	for _, c := range Describe() {
		got[c.Key] = c.Value
		keys = append(keys, c.Key)
		assert.NotEmpty(t, c.Value, c.Key)
	}
	assert.Equal(t, []string{"goos", "goarch", "cpu", "gomaxprocs", "numcpu", "go", "kernel", "lockbench"}, keys)
	assert.Equal(t, runtime.GOOS, got["goos"])
	assert.Equal(t, runtime.Version(), got["go"])
}
