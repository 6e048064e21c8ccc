package counter_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/counter"
	"github.com/lockbench/lockbench/internal/locktest"
	"github.com/lockbench/lockbench/locks"
)

func guardNames(guards []counter.Guard) []string {
	var out []string
	for _, g := range guards {
		out = append(out, g.Name())
	}
	return out
}

func TestGuards(t *testing.T) {
	var want []string
	for _, name := range locks.Names() {
		if name != "mutex" {
			want = append(want, locks.Canonical(name))
		}
	}
	guards := counter.Guards()
	assert.Equal(t, append(append([]string{"mutex"}, want...), "atomic", "sharded"), guardNames(guards),
		"mutex first, the locks with their default policies, then the stores")
	for _, g := range guards {
		assert.False(t, g.Broken(), "the broken lock is for checks, not for the counter")
		assert.False(t, g.BenchOnly())
		assert.NotEmpty(t, g.Doc(), g.Name())
	}
}

func TestParseGuard(t *testing.T) {
	ticket := counter.MustParseGuard("ticket")
	assert.Equal(t, "ticket:park", ticket.Name(), "the default policy spelled out")
	assert.Equal(t, ticket, counter.MustParseGuard("ticket:park"), "one guard, one value: guards compare with ==")
	assert.NotEqual(t, ticket, counter.MustParseGuard("ticket:spin"))
	ops, isLock := ticket.Lock()
	assert.True(t, isLock)
	assert.True(t, ops.FIFO)

	atomic := counter.MustParseGuard("atomic")
	_, isLock = atomic.Lock()
	assert.False(t, isLock)
	assert.True(t, atomic.Baseline())

	busted := counter.MustParseGuard("busted")
	assert.True(t, busted.Broken(), "broken locks parse; New decides")
	_, err := counter.New(busted)
	assert.ErrorContains(t, err, "busted: a deliberately broken lock needs allow_broken=1")

	for _, name := range []string{"spinny", "", "mutex:park", "ticket:nap"} {
		_, err := counter.ParseGuard(name)
		var unknown *counter.UnknownGuardError
		require.ErrorAs(t, err, &unknown, name)
		assert.Contains(t, err.Error(), "valid: "+strings.Join(locks.Names(), ", ")+", atomic, sharded;")
		assert.Contains(t, err.Error(), "atomic, sharded; a lock may take a waiting policy")
	}
}

// TestZeroGuard: the zero Guard answers every question, as no guard.
func TestZeroGuard(t *testing.T) {
	var g counter.Guard
	assert.NotPanics(t, func() {
		assert.Empty(t, g.Name())
		_, isLock := g.Lock()
		assert.False(t, isLock)
		assert.False(t, g.Broken() || g.Baseline() || g.BenchOnly() || g.External() || g.Bare())
	})
	_, err := counter.New(g)
	assert.ErrorContains(t, err, "builds no counter")
}

func TestRegisterStoreRejects(t *testing.T) {
	assert.PanicsWithValue(t, "counter: RegisterStore: nil New for nothing", func() {
		counter.RegisterStore(counter.StoreSpec{Name: "nothing"})
	})
	assert.Panics(t, func() {
		counter.RegisterStore(counter.StoreSpec{Name: "mutex", New: func(time.Duration) counter.Store { return nil }})
	}, "a lock's name")
	assert.Panics(t, func() {
		counter.Params{Guard: must(counter.ExternalGuard("mutex"))}.Insmod()
	}, "a label written as lock= would load the lock it names")
}

func must(g counter.Guard, err error) counter.Guard {
	if err != nil {
		panic(err)
	}
	return g
}

func TestExternalGuard(t *testing.T) {
	g, err := counter.ExternalGuard("kernel-mutex")
	require.NoError(t, err)
	assert.True(t, g.External())
	assert.Equal(t, "kernel-mutex", g.Name())
	other, _ := counter.ExternalGuard("mutex")
	assert.NotEqual(t, counter.MustParseGuard("mutex"), other, "a label is not the lock it names")
	_, err = counter.New(g)
	assert.ErrorContains(t, err, "builds no counter")
	for _, bad := range []string{"", "a/b", "a b", "a,b"} {
		_, err := counter.ExternalGuard(bad)
		assert.Error(t, err, "%q", bad)
	}
}

// TestCounterExact hammers every guard's Go methods from many goroutines.
func TestCounterExact(t *testing.T) {
	for _, guard := range counter.Guards() {
		t.Run("lock="+guard.Name(), func(t *testing.T) {
			c, err := counter.New(guard)
			require.NoError(t, err)
			assert.Equal(t, guard, c.Guard())
			const g, each = 8, 2000
			var wg sync.WaitGroup
			for i := range g {
				wg.Go(func() {
					for j := range each {
						switch {
						case i%2 == 0:
							c.Inc()
						case j%4 == 0:
							_ = c.Value()
						default:
							c.Dec()
						}
					}
				})
			}
			wg.Wait()
			// 4 incrementers x 2000, 4 decrementers x 1500.
			assert.Equal(t, int64(4*each-4*each*3/4), c.Value())
			c.Add(-c.Value())
			assert.Zero(t, c.Value())
		})
	}
}

func TestCriticalSectionWork(t *testing.T) {
	for _, guard := range counter.Guards() {
		c, err := counter.New(guard, counter.WithCriticalSection(100*time.Nanosecond))
		require.NoError(t, err)
		locktest.Run(4, 200, c.Inc)
		assert.Equal(t, int64(800), c.Value(), guard.Name())
	}
}

// TestBrokenGuardLosesUpdates checks the negative control: behind busted,
// concurrent increments get lost (bounded by a deadline, not a threshold).
func TestBrokenGuardLosesUpdates(t *testing.T) {
	c, err := counter.New(counter.MustParseGuard("busted"), counter.AllowBroken())
	require.NoError(t, err)
	deadline := time.Now().Add(30 * time.Second)
	var issued int64
	for c.Value() == issued && time.Now().Before(deadline) {
		locktest.Run(8, 10000, c.Inc)
		issued += 8 * 10000
	}
	assert.Less(t, c.Value(), issued, "busted lost no update in %d increments", issued)
}

func TestGuardWithWaitingPolicy(t *testing.T) {
	c, err := counter.New(counter.MustParseGuard("ticket:yield"))
	require.NoError(t, err)
	c.Inc()
	assert.Equal(t, int64(1), c.Value())
	assert.Equal(t, "ticket:yield", c.Guard().Name())
}
