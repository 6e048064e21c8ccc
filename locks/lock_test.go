package locks_test

import (
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/locks"
)

func TestNames(t *testing.T) {
	names := locks.Names()
	assert.True(t, sort.StringsAreSorted(names), "%v", names)
	for _, want := range []string{"mcs", "mutex", "qspin", "rwmutex", "tas", "ticket", "ttas"} {
		assert.Contains(t, names, want)
	}
	assert.NotContains(t, names, "busted", "Names lists sound strategies only")
	for _, o := range locks.All() {
		assert.NotEmpty(t, o.Doc, o.Name)
		assert.NotNil(t, o.New, o.Name)
	}
}

func TestLookup(t *testing.T) {
	o, err := locks.Lookup("ticket")
	require.NoError(t, err)
	assert.Equal(t, "ticket", o.Name)
	assert.True(t, o.FIFO)

	b, err := locks.Lookup("busted")
	require.NoError(t, err, "broken locks can be looked up for checks")
	assert.True(t, b.Broken)

	_, err = locks.Lookup("spinny")
	var unknown *locks.UnknownError
	require.ErrorAs(t, err, &unknown)
	assert.Equal(t, `locks: unknown lock "spinny" (valid: `+joinNames()+`; broken, for checks only: busted, busted-rw)`, err.Error())
}

func TestCanonical(t *testing.T) {
	for name, want := range map[string]string{
		"ticket":      "ticket:park", // the default, spelled out
		"ticket:spin": "ticket:spin",
		"ttas":        "ttas:yield",
		"mutex":       "mutex", // no choice of policy
		"atomic":      "atomic",
		"nonesuch":    "nonesuch",
	} {
		assert.Equal(t, want, locks.Canonical(name), name)
	}
}

func joinNames() string {
	s := ""
	for i, n := range locks.Names() {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}

func TestRegisterRejects(t *testing.T) {
	newLock := func() locks.Lock { return new(locks.Mutex) }
	assert.PanicsWithValue(t, "locks: Register called twice for mutex", func() {
		locks.Register(locks.Ops{Name: "mutex", Doc: "again", New: newLock})
	})
	for _, bad := range []string{"", "a/b", "a,b", "a b"} {
		assert.Panics(t, func() { locks.Register(locks.Ops{Name: bad, Doc: "x", New: newLock}) }, "%q", bad)
	}
	assert.Panics(t, func() { locks.Register(locks.Ops{Name: "nonew", Doc: "x"}) })
}

// TestZeroValueIsUnlocked: for every registered lock, broken ones
// included, the zero value of its type is an unlocked lock. Lock must
// return, and a second goroutine must then wait until Unlock; both bounded,
// so that a zero value that is locked fails within seconds, not at the
// test binary's timeout.
func TestZeroValueIsUnlocked(t *testing.T) {
	for _, ops := range locks.All() {
		t.Run("lock="+ops.Name, func(t *testing.T) {
			typ := reflect.TypeOf(ops.New()).Elem()
			l := reflect.New(typ).Interface().(locks.Lock) // the zero value
			locked := make(chan struct{})
			go func() { l.Lock(); close(locked) }()
			select {
			case <-locked:
			case <-time.After(5 * time.Second):
				t.Fatalf("the zero %v did not lock within 5 s: it is not unlocked", typ)
			}
			if ops.Broken {
				l.Unlock()
				return // busted excludes nobody: that is the point of it
			}
			second := make(chan struct{})
			go func() { l.Lock(); close(second) }()
			select {
			case <-second:
				t.Fatalf("the zero %v let a second goroutine in", typ)
			case <-time.After(10 * time.Millisecond):
			}
			l.Unlock()
			select {
			case <-second:
			case <-time.After(5 * time.Second):
				t.Fatalf("the zero %v did not hand over within 5 s of Unlock", typ)
			}
			l.Unlock()
		})
	}
}
