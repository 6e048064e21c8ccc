package locks_test

import (
	"sort"
	"testing"

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
	assert.Equal(t, `locks: unknown lock "spinny" (valid: `+joinNames()+`; broken, for checks only: busted)`, err.Error())
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

func TestZeroValueIsUnlocked(t *testing.T) {
	var (
		m   locks.Mutex
		rw  locks.RWMutex
		tas locks.TAS
		tt  locks.TTAS
		tk  locks.Ticket
		mcs locks.MCS
	)
	for _, l := range []locks.Lock{&m, &rw, &tas, &tt, &tk, &mcs} {
		l.Lock()
		l.Unlock()
	}
}
