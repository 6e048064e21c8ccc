package sample

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSummarizeMatchesBenchstat(t *testing.T) {
	values := []float64{12, 10, 11, 10.5, 11.5, 10.2}
	s := Summarize(values)
	assert.Equal(t, []float64{12, 10, 11, 10.5, 11.5, 10.2}, values, "not modified")
	assert.Equal(t, 6, s.N)
	assert.InDelta(t, 10.75, s.Center, 1e-9)
	// With 6 values the 95% interval is the extremes.
	assert.Equal(t, 10.0, s.Lo)
	assert.Equal(t, 12.0, s.Hi)
	assert.InDelta(t, 12/10.75-1, s.RelHalfWidth(), 1e-9)
}

func TestRelHalfWidthInfinite(t *testing.T) {
	assert.True(t, math.IsInf(Summarize([]float64{1, 2, 3}).RelHalfWidth(), 1), "too few values")
	assert.True(t, math.IsInf(Summary{Center: 0, Lo: 0, Hi: 0}.RelHalfWidth(), 1))
}

func TestBimodalSynthetic(t *testing.T) {
	// tas at g=2 as the trust issue measured it: 33 ns when the waiter runs
	// on the other CPU, 128 ns when it shares the holder's.
	values := []float64{128, 33, 34, 131, 32.5, 33.4, 126, 33.9}
	c := Bimodal(values)
	require.Len(t, c, 2)
	assert.Equal(t, 5, c[0].N)
	assert.InDelta(t, 33.4, c[0].Center, 1e-9)
	assert.Equal(t, 32.5, c[0].Min)
	assert.Equal(t, 3, c[1].N)
	assert.Equal(t, 128.0, c[1].Center)
	assert.Equal(t, 131.0, c[1].Max)
}

func TestUnimodalIsNotBimodal(t *testing.T) {
	// Log-normal noise: never split when it is as tight as a good cell's;
	// when it is as wide as a bad cell's (±20%), a few small samples do look
	// like two groups, and at most 1% may be called bimodal.
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		sigma   float64
		falsePc float64
	}{{0.02, 0}, {0.05, 0}, {0.2, 1}} {
		const trials = 500
		split := 0
		for trial := range trials {
			values := make([]float64, 6+trial%20)
			for i := range values {
				values[i] = 50 * math.Exp(c.sigma*rng.NormFloat64())
			}
			if Bimodal(values) != nil {
				split++
			}
		}
		assert.LessOrEqual(t, 100*float64(split)/trials, c.falsePc, "sigma %v: %d of %d called bimodal", c.sigma, split, trials)
	}
}

func TestOutliersAreNotAMode(t *testing.T) {
	assert.Nil(t, Bimodal([]float64{10, 10.1, 10.2, 10.3, 10.1, 40}), "one outlier")
	assert.Nil(t, Bimodal([]float64{10, 10.1, 10.2, 10.3, 10.1, 10.2, 10.1, 10.2, 10.3, 10.1, 10.2, 10.3, 10.2, 10.1, 10.2, 10.3, 10.2, 10.1, 40, 41}),
		"two outliers in twenty are under the minimum share")
	assert.Nil(t, Bimodal([]float64{10, 10.1, 10.2, 10.3, 10.1, 10.2, 10.1, 10.2, 10.3, 10.1, 16, 17}),
		"two disturbed trials in twelve are outliers, not a mode")
	assert.NotNil(t, Bimodal([]float64{10, 10.1, 10.2, 10.3, 10.1, 10.2, 10.1, 10.2, 10.3, 16, 16.5, 17}),
		"three in twelve are a mode")
	assert.Nil(t, Bimodal([]float64{10, 11, 12, 13, 14, 15}), "evenly spread")
	assert.Nil(t, Bimodal([]float64{10, 10, 10, 10, 10, 10}), "constant")
	assert.Nil(t, Bimodal([]float64{0, 0, 0, 10, 10, 10}), "not positive")
	assert.Nil(t, Bimodal([]float64{10, 30, 10, 30, 10}), "too few values")
}

func TestLimits(t *testing.T) {
	l := DefaultLimits()
	for _, c := range []struct {
		d    Disturbance
		want bool
	}{
		{Disturbance{Interference: 0.02, Speed: 1.05}, false},
		{Disturbance{Interference: 0.3, Speed: 1}, true},    // a CPU hog
		{Disturbance{Interference: 0.01, Speed: 0.6}, true}, // a slow spell
		{Disturbance{Interference: 0.01, Speed: 1.7}, true}, // a fast spell
		{Disturbance{Interference: 0.01, Speed: 1 / 1.19}, false},
		{Disturbance{Interference: math.NaN(), Speed: 0}, false}, // nothing measured
		{Disturbance{Interference: math.NaN(), Speed: 1.6}, true},
		{Disturbance{Interference: 0.01, Speed: 1.3}, false}, // the probe's own scatter
	} {
		assert.Equal(t, c.want, l.Disturbed(c.d), "%+v", c.d)
	}
	assert.InDelta(t, l.Score(Disturbance{Speed: 2}), l.Score(Disturbance{Speed: 0.5}), 1e-12, "half and double are as far")
	assert.InDelta(t, 3, l.Score(Disturbance{Interference: 0.3, Speed: 1}), 1e-12)
}

func TestMedian(t *testing.T) {
	assert.Equal(t, 2.0, Median([]float64{3, 1, 2}))
	assert.Equal(t, 2.5, Median([]float64{4, 1, 3, 2}))
}
