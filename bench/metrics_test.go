package bench

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/reports/units"
)

func TestJainIndex(t *testing.T) {
	for _, tc := range []struct {
		counts []uint64
		want   float64
	}{
		{[]uint64{5, 5, 5, 5}, 1},
		{[]uint64{1, 0, 0, 0}, 0.25}, // one of four did everything: 1/n
		{[]uint64{1, 2, 3}, 36.0 / 42},
		{[]uint64{10, 30}, 1600.0 / 2000},
		{nil, 1},
		{[]uint64{0, 0}, 1},
	} {
		assert.InDelta(t, tc.want, JainIndex(tc.counts), 1e-12, "%v", tc.counts)
	}
}

func TestMaxMinRatio(t *testing.T) {
	for _, tc := range []struct {
		counts []uint64
		want   float64
	}{
		{[]uint64{5, 2, 9}, 4.5},
		{[]uint64{7, 7}, 1},
		{[]uint64{3, 0}, 3}, // a starved goroutine counts as 1
		{[]uint64{0, 0}, 1},
		{nil, 1},
	} {
		assert.Equal(t, tc.want, MaxMinRatio(tc.counts), "%v", tc.counts)
	}
}

func TestLatencyPercentiles(t *testing.T) {
	samples := make([]float64, 100)
	for i := range samples {
		samples[99-i] = float64(i + 1) // 100..1: order must not matter
	}
	l := latencyOf(samples)
	assert.Equal(t, 100, l.Samples)
	// Linear interpolation between closest ranks: rank = p/100 * (n-1).
	assert.InDelta(t, 50.5, l.P50, 1e-9)
	assert.InDelta(t, 99.01, l.P99, 1e-9)
	assert.InDelta(t, 99.901, l.P999, 1e-9)

	few := latencyOf([]float64{1, 2, 3})
	assert.Equal(t, Latency{Samples: 3}, few, "too few samples for percentiles")
}

func TestRoundSignificant(t *testing.T) {
	assert.Equal(t, 11.6, roundSignificant(11.599340517942125, 4))
	assert.Equal(t, 1.235e6, roundSignificant(1234567, 4))
	assert.Equal(t, 0.9884, roundSignificant(0.98836, 4))
	assert.Equal(t, 0.0, roundSignificant(0, 4))
}

func TestReservoirKeepsUniformSample(t *testing.T) {
	w := worker{samples: make([]int64, 100)}
	rng := rand.NewPCG(1, 2)
	for i := range 100000 {
		w.sample(int64(i), rng)
	}
	assert.Equal(t, 100000, w.nsamples)
	// A uniform sample of 0..99999 has values from all over the range, not
	// only the last or first 100.
	var low, high int
	for _, s := range w.samples {
		if s < 50000 {
			low++
		} else {
			high++
		}
	}
	assert.Positive(t, low)
	assert.Positive(t, high)
}

func TestBudgetLimiterHandsOutExactly(t *testing.T) {
	l := budgetLimiter(1005)
	total := 0
	for n := l.next(100); n > 0; n = l.next(100) {
		total += n
	}
	assert.Equal(t, 1005, total)
	assert.Zero(t, l.next(100))
}

func TestMixShapes(t *testing.T) {
	for _, tc := range []struct {
		mix           Mix
		n             int
		first, second int
	}{
		{MixInc, 640, 640, 0},
		{MixIncDec, 640, 320, 320},
		{MixRead90, 640, 64, 576},
		{MixRead90, 10, 1, 9},
		{MixRead50, 10, 5, 5},
		{MixRead100, 640, 0, 640},
	} {
		s, err := tc.mix.shape()
		assert.NoError(t, err)
		carry := 0
		f, sec := s.split(tc.n, &carry)
		assert.Equal(t, tc.first, f, tc.mix)
		assert.Equal(t, tc.second, sec, tc.mix)
		assert.Zero(t, carry, tc.mix)
	}
	// read99 in chunks of 10: the hundredths carry, one I in 100 overall.
	s, err := MixRead99.shape()
	require.NoError(t, err)
	carry, writes := 0, 0
	for range 100 {
		f, sec := s.split(10, &carry)
		assert.Equal(t, 10, f+sec)
		writes += f
	}
	assert.Equal(t, 10, writes, "10 I in 1000 operations")
	_, err = Mix("write50").shape()
	assert.EqualError(t, err, `bench: unknown mix "write50" (valid: inc, incdec, read50, read90, read99, read100)`)
}

func TestParseValue(t *testing.T) {
	for in, want := range map[string]int64{"0\n": 0, "42\n": 42, "-7\n": -7, "9223372036854775807\n": 9223372036854775807, "12": 12} {
		v, err := parseValue([]byte(in))
		assert.NoError(t, err, in)
		assert.Equal(t, want, v, in)
	}
	for _, bad := range []string{"", "\n", "-", "1x\n", "9223372036854775808\n", "99999999999999999999\n", " 1\n"} {
		_, err := parseValue([]byte(bad))
		assert.ErrorIs(t, err, errNotDecimal, "%q", bad)
	}
}

// TestSamplesFollowTheMix: the operation timed alone in each chunk is a
// write in the mix's proportion, not in every chunk (read90 once sampled
// writes only, and reported a write's latency as the mix's).
func TestSamplesFollowTheMix(t *testing.T) {
	for _, tc := range []struct {
		mix    Mix
		writes int // of 1000 samples
	}{{MixInc, 1000}, {MixIncDec, 1000}, {MixRead90, 100}, {MixRead99, 10}, {MixRead100, 0}} {
		s, err := tc.mix.shape()
		require.NoError(t, err)
		carry, sampleCarry, writes := 0, 0, 0
		for range 1000 {
			first, second := s.split(640, &carry)
			kind, f, sec := s.sample(first, second, &sampleCarry)
			assert.Equal(t, first+second-1, f+sec, tc.mix)
			if kind != opRead {
				writes++
			}
		}
		assert.Equal(t, tc.writes, writes, tc.mix)
	}
}

func TestLockStatUnitsHaveADirection(t *testing.T) {
	for _, u := range LockStatUnitNames() {
		assert.Equal(t, units.Lower, units.Better(u), "%s: fewer events and shorter waits are better", u)
	}
}
