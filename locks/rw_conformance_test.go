package locks_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/locks"
)

// The reader side of the conformance suite: every strategy registered RW
// (sound ones by name, and busted-rw, which every check must catch) and
// the seqlock.

// forEachRW runs f for every sound reader-writer strategy.
func forEachRW(t *testing.T, f func(t *testing.T, ops locks.Ops)) {
	n := 0
	for _, name := range locks.Names() {
		ops, err := locks.Lookup(name)
		require.NoError(t, err)
		if ops.RW {
			n++
			t.Run("lock="+name, func(t *testing.T) { f(t, ops) })
		}
	}
	require.GreaterOrEqual(t, n, 4, "rwmutex, qrwlock, percpu-rw and bravo at least")
}

// exclusion runs writers and readers on l until each has done its share,
// or stop is closed, and counts the times a reader saw a writer inside or
// a writer saw anyone else inside.
func exclusion(l locks.Lock, writers, readers, each int, stop <-chan struct{}) (violations uint64) {
	var inReaders, inWriters atomic.Int32
	var bad atomic.Uint64
	r := locks.ReadSideOf(l)
	var wg sync.WaitGroup
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	for range writers {
		wg.Go(func() {
			for i := 0; i < each && !stopped(); i++ {
				l.Lock()
				if inWriters.Add(1) != 1 || inReaders.Load() != 0 {
					bad.Add(1)
				}
				for range 20 { // hold a little, so that overlaps show
					if inReaders.Load() != 0 {
						bad.Add(1)
						break
					}
				}
				inWriters.Add(-1)
				l.Unlock()
			}
		})
	}
	for range readers {
		wg.Go(func() {
			for i := 0; i < 4*each && !stopped(); i++ {
				tok := r.Enter()
				inReaders.Add(1)
				if inWriters.Load() != 0 {
					bad.Add(1)
				}
				inReaders.Add(-1)
				r.Exit(tok)
			}
		})
	}
	wg.Wait()
	return bad.Load()
}

// TestReadersExcludeWriters: a writer is alone; a reader never overlaps a
// writer.
func TestReadersExcludeWriters(t *testing.T) {
	forEachRW(t, func(t *testing.T, ops locks.Ops) {
		withGOMAXPROCS(2, func() {
			within(t, watchdog, ops.Name, func() {
				assert.Zero(t, exclusion(ops.New(), 2, 6, 3000, nil))
			})
		})
	})
}

// TestBustedRWIsCaught proves the reader check bites: against busted-rw it
// reports readers overlapping writers within 5 seconds.
func TestBustedRWIsCaught(t *testing.T) {
	ops, err := locks.Lookup("busted-rw")
	require.NoError(t, err)
	require.True(t, ops.Broken)
	stop := make(chan struct{})
	time.AfterFunc(5*time.Second, func() { close(stop) })
	var caught uint64
	for deadline := time.Now().Add(5 * time.Second); caught == 0 && time.Now().Before(deadline); {
		caught = exclusion(ops.New(), 2, 6, 100000, stop)
	}
	assert.NotZero(t, caught, "busted-rw let no reader meet a writer in 5 s")
}

// TestReadersOverlap: a reader does not wait for another reader.
func TestReadersOverlap(t *testing.T) {
	forEachRW(t, func(t *testing.T, ops locks.Ops) {
		l := ops.New()
		r := locks.ReadSideOf(l)
		first := r.Enter()
		within(t, 5*time.Second, ops.Name+": a second reader waited for the first", func() {
			r.Exit(r.Enter())
		})
		r.Exit(first)
		// And the lock is free again: a writer gets in.
		within(t, 5*time.Second, ops.Name+": a writer after the readers", func() {
			l.Lock()
			//lint:ignore SA2001 getting in is the check
			l.Unlock()
		})
	})
}

// TestWriterProgressUnderReaders: a stream of readers, each always about to
// come back, does not starve a writer (writer preference, or revocation).
func TestWriterProgressUnderReaders(t *testing.T) {
	forEachRW(t, func(t *testing.T, ops locks.Ops) {
		l := ops.New()
		r := locks.ReadSideOf(l)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					r.Exit(r.Enter())
				}
			})
		}
		withGOMAXPROCS(2, func() {
			within(t, watchdog, ops.Name+": writers starved by readers", func() {
				for range 200 {
					l.Lock()
					//lint:ignore SA2001 getting in, 200 times, is the check
					l.Unlock()
				}
			})
		})
		close(stop)
		wg.Wait()
	})
}

// TestSeqlockReadsAreNotTorn: a writer keeps a pair of words equal, changing
// both under the lock; a reader that ReadRetry accepts never sees them
// differ.
func TestSeqlockReadsAreNotTorn(t *testing.T) {
	l := new(locks.Seqlock)
	var a, b atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := int64(1); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			l.Lock()
			a.Store(i)
			b.Store(i)
			l.Unlock()
		}
	})
	var torn, retried int
	for range 200000 {
		for {
			seq := l.ReadBegin()
			x, y := a.Load(), b.Load()
			if !l.ReadRetry(seq) {
				if x != y {
					torn++
				}
				break
			}
			retried++
		}
	}
	close(stop)
	wg.Wait()
	assert.Zero(t, torn)
	t.Logf("%d retries in 200000 reads", retried)
}
