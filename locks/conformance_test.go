package locks_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/internal/locktest"
	"github.com/lockbench/lockbench/locks"
	"github.com/lockbench/lockbench/torture"
)

// The conformance suite runs every sound strategy in Names() through the same
// checks; adding a lock file adds it here.

// watchdog bounds a check that could deadlock or livelock. It is a liveness
// bound, not a performance threshold: a correct lock finishes in well under
// a second; the bound only turns a hang into a clear failure.
const watchdog = 2 * time.Minute

// forEachLock runs f for every sound strategy with its default waiting
// policy, and for every strategy:policy variant.
func forEachLock(t *testing.T, f func(t *testing.T, ops locks.Ops)) {
	t.Helper()
	names := locks.Names()
	require.NotEmpty(t, names)
	for _, name := range append(names, locks.Variants()...) {
		ops, err := locks.Lookup(name)
		require.NoError(t, err)
		t.Run("lock="+name, func(t *testing.T) { f(t, ops) })
	}
}

// pureSpin reports whether ops waits by spinning alone. Such a lock is
// correct but promises no progress in reasonable time when goroutines
// outnumber GOMAXPROCS (a spinning waiter holds its P until the runtime
// preempts it, every 10ms), so the oversubscribed checks skip it.
func pureSpin(ops locks.Ops) bool { return ops.Wait == locks.WaitSpin }

// acquisitions scales a check's work: full for the default policies, a
// tenth for the other variants, whose slow cases (yield and spin with more
// goroutines than CPUs) are what the benchmarks' preemption matrix shows.
func acquisitions(ops locks.Ops, n int) int {
	if ops.Wait != locks.WaitDefault {
		return n / 10
	}
	return n
}

// withGOMAXPROCS runs f with GOMAXPROCS=n, the machine class lockbench is
// specified for, so oversubscription means the same thing everywhere.
func withGOMAXPROCS(n int, f func()) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	f()
}

// within runs f and fails the test if it has not returned after d.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s: no progress after %v (deadlock or livelock)", what, d)
	}
}

func TestMutualExclusion(t *testing.T) {
	forEachLock(t, func(t *testing.T, ops locks.Ops) {
		for _, g := range []int{2, 8, 64} {
			t.Run(fmt.Sprintf("g=%d", g), func(t *testing.T) {
				if g > 2 && pureSpin(ops) {
					t.Skip("pure spinning promises no progress when goroutines outnumber GOMAXPROCS")
				}
				withGOMAXPROCS(2, func() {
					var r torture.Result
					within(t, watchdog, ops.Name, func() {
						r = torture.Run(context.Background(), ops.New(), torture.Config{
							Writers:      g,
							Acquisitions: acquisitions(ops, 40000) / g,
						})
					})
					assert.Zero(t, r.Violations, "critical sections that found another holder")
					assert.Zero(t, r.Lost, "lost updates")
					assert.Equal(t, uint64(g*(acquisitions(ops, 40000)/g)), r.Total())
				})
			})
		}
	})
}

// TestPlainCounter increments a plain int under the lock: the count must come
// out exact, and under -race the detector checks that each Unlock happens
// before the next Lock returns (the lock's memory ordering).
func TestPlainCounter(t *testing.T) {
	forEachLock(t, func(t *testing.T, ops locks.Ops) {
		for _, g := range []int{2, 3, 8, 64} {
			t.Run(fmt.Sprintf("g=%d", g), func(t *testing.T) {
				if g > 2 && pureSpin(ops) {
					t.Skip("pure spinning promises no progress when goroutines outnumber GOMAXPROCS")
				}
				perG := acquisitions(ops, 2000)
				l := ops.New()
				counter := 0
				withGOMAXPROCS(2, func() {
					within(t, watchdog, ops.Name, func() { counter = locktest.Hammer(l, g, perG) })
				})
				assert.Equal(t, g*perG, counter)
			})
		}
	})
}

// TestFIFO queues waiters one at a time behind a held lock, each after the
// previous one has visibly arrived, and checks they acquire in that order.
func TestFIFO(t *testing.T) {
	forEachLock(t, func(t *testing.T, ops locks.Ops) {
		if !ops.FIFO {
			t.Skipf("%s does not promise FIFO order", ops.Name)
		}
		withGOMAXPROCS(2, func() {
			const waiters = 8 // more than GOMAXPROCS: some wait while not running
			l := ops.New()
			l.Lock()
			var order []int // guarded by l
			var wg sync.WaitGroup
			for i := range waiters {
				before, ok := locks.TailToken(l)
				require.True(t, ok, "FIFO lock %s must implement fifoProbe", ops.Name)
				wg.Go(func() {
					l.Lock()
					order = append(order, i)
					l.Unlock()
				})
				within(t, watchdog, "waiter to queue", func() {
					for tok, _ := locks.TailToken(l); tok == before; tok, _ = locks.TailToken(l) {
						runtime.Gosched()
					}
				})
			}
			l.Unlock()
			within(t, watchdog, ops.Name, wg.Wait)
			l.Lock()
			defer l.Unlock()
			want := make([]int, waiters)
			for i := range want {
				want[i] = i
			}
			assert.Equal(t, want, order)
		})
	})
}

// TestOversubscribed checks progress with 64 goroutines on GOMAXPROCS=2,
// where holders and next-in-line waiters are often preempted.
func TestOversubscribed(t *testing.T) {
	forEachLock(t, func(t *testing.T, ops locks.Ops) {
		if pureSpin(ops) {
			t.Skip("pure spinning promises no progress when goroutines outnumber GOMAXPROCS")
		}
		withGOMAXPROCS(2, func() {
			var r torture.Result
			within(t, watchdog, ops.Name, func() {
				ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
				defer cancel()
				r = torture.Run(ctx, ops.New(), torture.Config{Writers: 64})
			})
			assert.False(t, r.Failed(), "violations=%d lost=%d", r.Violations, r.Lost)
			assert.NotZero(t, r.Total(), "no writer acquired the lock")
		})
	})
}

func TestUnlockOfUnlockedPanics(t *testing.T) {
	forEachLock(t, func(t *testing.T, ops locks.Ops) {
		if ops.UnlockFatal {
			t.Skipf("%s: unlock of unlocked is the standard library's fatal error", ops.Name)
		}
		l := ops.New()
		assert.PanicsWithValue(t, "locks: unlock of unlocked "+ops.Strategy+" lock", l.Unlock, "fresh lock")
		l.Lock()
		//lint:ignore SA2001 the pair itself is the test: an Unlock after it must still panic
		l.Unlock()
		assert.PanicsWithValue(t, "locks: unlock of unlocked "+ops.Strategy+" lock", l.Unlock, "after a Lock/Unlock pair")
	})
}

// TestBustedIsCaught proves the checker bites: run against the busted lock,
// it must report a violation well within the bound.
func TestBustedIsCaught(t *testing.T) {
	ops, err := locks.Lookup("busted")
	require.NoError(t, err)
	require.True(t, ops.Broken)
	withGOMAXPROCS(2, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		r := torture.Run(ctx, ops.New(), torture.Config{Writers: 8, StopOnFailure: true})
		require.True(t, r.Failed(), "busted survived %d acquisitions in %v", r.Total(), r.Elapsed)
		t.Logf("busted caught after %d acquisitions in %v: violations=%d lost=%d",
			r.Total(), r.Elapsed, r.Violations, r.Lost)
	})
	assert.NotPanics(t, ops.New().Unlock, "busted's Unlock never panics")
}
