package registry

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRegistry(t *testing.T) {
	var r Registry[int]
	_, ok := r.Lookup("a")
	assert.False(t, ok, "the zero value is empty")
	assert.Empty(t, r.Names())

	assert.True(t, r.Add("b", 2))
	assert.True(t, r.Add("a", 1))
	assert.False(t, r.Add("a", 10), "a taken name")
	v, ok := r.Lookup("a")
	assert.True(t, ok)
	assert.Equal(t, 1, v, "the first registration stays")
	assert.Equal(t, []string{"a", "b"}, r.Names())
	assert.Equal(t, []int{1, 2}, r.All(), "in name order")
}

func TestMustAdd(t *testing.T) {
	var r Registry[int]
	r.MustAdd("x: Register", "thing", "ok", "/", 1)
	assert.PanicsWithValue(t, "x: Register called twice for thing ok", func() { r.MustAdd("x: Register", "thing", "ok", "/", 2) })
	assert.PanicsWithValue(t, `x: Register: invalid thing name "a/b"`, func() { r.MustAdd("x: Register", "thing", "a/b", "/", 3) })
	assert.PanicsWithValue(t, `x: Register: invalid name ""`, func() { r.MustAdd("x: Register", "", "", "/", 3) })
}
