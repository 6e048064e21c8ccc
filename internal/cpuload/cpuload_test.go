package cpuload

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func parseFile(t *testing.T, name string) Sample {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	require.NoError(t, err)
	defer f.Close()
	s, err := ParseProcStat(f)
	require.NoError(t, err)
	return s
}

func TestParseProcStat(t *testing.T) {
	s := parseFile(t, "quiet-before.stat")
	// cpu  30037 0 3525 51772 158 0 237 76 0 0
	assert.Equal(t, fromTicks(30037+3525+51772+158+237+76), s.Capacity)
	assert.Equal(t, fromTicks(51772+158), s.Idle)
	assert.Zero(t, s.Self)
}

func TestParseProcStatOldKernel(t *testing.T) {
	// Before 2.6.33 the line stops at steal, or earlier.
	s, err := ParseProcStat(strings.NewReader("cpu  10 0 5 80 5\ncpu0 10 0 5 80 5\n"))
	require.NoError(t, err)
	assert.Equal(t, fromTicks(100), s.Capacity)
	assert.Equal(t, fromTicks(85), s.Idle)
}

func TestParseProcStatErrors(t *testing.T) {
	for _, in := range []string{"", "cpu0 1 2 3 4 5\n", "cpu 1 2\n", "cpu 1 2 x 4 5\n"} {
		_, err := ParseProcStat(strings.NewReader(in))
		assert.Error(t, err, "%q", in)
	}
}

// The recorded samples were taken on a 2-vCPU VM around a 300 ms trial that
// kept both CPUs busy (self is the process's CPU time over the trial, from
// getrusage): quietly, and with one `sh -c 'while :; do :; done'` running.
func TestInterferenceOfRecordedTrials(t *testing.T) {
	quiet := Interference(
		withSelf(parseFile(t, "quiet-before.stat"), 0),
		withSelf(parseFile(t, "quiet-after.stat"), 596*time.Millisecond))
	assert.Less(t, quiet, 0.05, "a quiet machine")

	hog := Interference(
		withSelf(parseFile(t, "hog-before.stat"), 0),
		withSelf(parseFile(t, "hog-after.stat"), 416*time.Millisecond))
	assert.InDelta(t, 1.0/3, hog, 0.05, "one hog against a load on both CPUs takes a third")
}

func withSelf(s Sample, self time.Duration) Sample { s.Self = self; return s }

func TestInterferenceEdges(t *testing.T) {
	s := Sample{Capacity: time.Second, Idle: 0, Self: 0}
	assert.Equal(t, 0.0, Interference(s, s), "no capacity elapsed")
	// Steal is busy time that is not ours.
	after := Sample{Capacity: 2 * time.Second, Idle: 0, Self: 500 * time.Millisecond}
	assert.InDelta(t, 0.5, Interference(s, after), 1e-9)
	// Tick rounding can make self exceed busy: clamped at 0.
	after = Sample{Capacity: 2 * time.Second, Idle: 900 * time.Millisecond, Self: 200 * time.Millisecond}
	assert.Equal(t, 0.0, Interference(s, after))
}

func TestTake(t *testing.T) {
	if _, err := os.Stat("/proc/stat"); err != nil {
		t.Skip("no /proc/stat here")
	}
	a, err := Take()
	require.NoError(t, err)
	for start := time.Now(); time.Since(start) < 30*time.Millisecond; {
	}
	b, err := Take()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, b.Capacity, a.Capacity)
	assert.Greater(t, b.Self, a.Self, "the spin above is our CPU time")
	x := Interference(a, b)
	assert.True(t, x >= 0 && x <= 1, "%v", x)
}

func TestWindowReadsOverItsSpan(t *testing.T) {
	w := NewWindow(200 * time.Millisecond)
	t0 := time.Unix(1000, 0)
	// A quiet machine for 300 ms, then a 50 ms interval in which a whole
	// CPU of 2 went elsewhere: over 50 ms that reads 0.5, over the 200 ms
	// window ending with it (150 ms quiet), 0.125.
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	s := func(capMs, selfMs int) Sample {
		return Sample{Capacity: time.Duration(capMs) * time.Millisecond, Self: time.Duration(selfMs) * time.Millisecond}
	}
	for ms := 0; ms <= 300; ms += 50 {
		w.Add(at(ms), s(2*ms, 2*ms))
	}
	end := s(2*350, 2*300+50)
	w.Add(at(350), end)
	assert.InDelta(t, 0.125, w.Interference(end, at(350)), 1e-9)
	assert.InDelta(t, 0.5, Interference(s(600, 600), end), 1e-9, "the interval alone")
	assert.LessOrEqual(t, len(w.samples), 6, "old samples are forgotten")
	assert.Equal(t, 0.0, NewWindow(time.Second).Interference(end, at(350)), "an empty window reads nothing")
}
