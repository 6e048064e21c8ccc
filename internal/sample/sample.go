// Package sample summarises the repeated measurements of one benchmark
// configuration, for the runner that decides when a cell has converged and
// for the reports that show it: the median with benchstat's 95% confidence
// interval (golang.org/x/perf/benchmath, no distributional assumption), its
// relative half-width, and whether the values fall into two separate
// clusters.
package sample

import (
	"math"
	"slices"

	"golang.org/x/perf/benchmath"
)

// Confidence is the level of every interval: benchstat's default.
const Confidence = 0.95

// Summary is a sample's median and confidence interval.
type Summary struct {
	Center, Lo, Hi float64
	N              int
}

// Summarize returns the median of values and its confidence interval at
// [Confidence], as benchstat computes them. With too few values for the
// level (fewer than 6 at 95%) the bounds are infinite. values is not
// modified.
func Summarize(values []float64) Summary {
	s := benchmath.NewSample(slices.Clone(values), &benchmath.DefaultThresholds)
	sum := benchmath.AssumeNothing.Summary(s, Confidence)
	return Summary{Center: sum.Center, Lo: sum.Lo, Hi: sum.Hi, N: len(values)}
}

// RelHalfWidth is the interval's larger half over the median, the "± 5%"
// benchstat prints as 0.05: +Inf when the interval is infinite or the median
// is not positive.
func (s Summary) RelHalfWidth() float64 {
	if math.IsInf(s.Lo, 0) || math.IsInf(s.Hi, 0) || s.Center <= 0 {
		return math.Inf(1)
	}
	return max(s.Hi/s.Center-1, 1-s.Lo/s.Center)
}

// Cluster is one mode of a bimodal sample.
type Cluster struct {
	Center   float64 // median of the cluster's values
	Min, Max float64
	N        int
}

// Bimodality thresholds. A sample is split at the widest gap between
// neighbouring sorted values (on a log scale, so that 10 to 20 and 100 to
// 200 are the same gap); it is bimodal when both sides hold at least
// minClusterSize values and minClusterShare of the sample (so that two
// disturbed trials in twelve are outliers, not a mode), the gap is at least
// minGap (a ratio of about 1.25 between the nearest members of the two
// clusters), and the gap is more than twice either cluster's own spread:
// two tight groups far apart, not one wide one.
const (
	minBimodalN     = 6
	minClusterSize  = 2
	minClusterShare = 0.2
	minGap          = 0.22 // log(1.246)
)

// Bimodal returns the two clusters of values, lower first, when they fall
// into two separate groups (see the thresholds above), and nil otherwise.
// Values must be positive; a sample with a value ≤ 0 is never bimodal.
func Bimodal(values []float64) []Cluster {
	n := len(values)
	if n < minBimodalN {
		return nil
	}
	xs := slices.Sorted(slices.Values(values))
	if xs[0] <= 0 {
		return nil
	}
	logs := make([]float64, n)
	for i, x := range xs {
		logs[i] = math.Log(x)
	}
	least := max(minClusterSize, int(math.Ceil(minClusterShare*float64(n))))
	split, gap := 0, 0.0
	for k := least; k <= n-least; k++ {
		if g := logs[k] - logs[k-1]; g > gap {
			split, gap = k, g
		}
	}
	if split == 0 || gap < minGap {
		return nil
	}
	spreadLo := logs[split-1] - logs[0]
	spreadHi := logs[n-1] - logs[split]
	if gap <= 2*max(spreadLo, spreadHi) {
		return nil
	}
	return []Cluster{cluster(xs[:split]), cluster(xs[split:])}
}

// cluster summarises sorted values.
func cluster(xs []float64) Cluster {
	return Cluster{Center: Median(xs), Min: xs[0], Max: xs[len(xs)-1], N: len(xs)}
}

// Median returns the median of xs, sorting them in place: the middle value,
// or the mean of the two middle ones. xs must not be empty.
func Median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// A results file judges its own cells through two units and three
// configuration lines, written by the runner (package bench) and read by the
// reports; this package owns their names and the rule that applies them
// (Limits.Disturbed).
const (
	// InterferenceUnit is the unit of each trial's interference: the
	// fraction of the machine's CPU capacity that went to other processes
	// or the hypervisor while it ran (package cpuload).
	InterferenceUnit = "interference"
	// SpeedUnit is the unit of each trial's speed: how fast the machine ran
	// a fixed probe around the trial, against its usual speed in the run
	// (1 usual, 0.6 slower, 1.7 faster).
	SpeedUnit = "speed"
	// MaxInterferenceKey names the configuration line with the most
	// interference a trial may see and count as undisturbed; files without
	// it are judged by DefaultMaxInterference.
	MaxInterferenceKey = "max-interference"
	// MaxSpeedChangeKey names the configuration line with the most a
	// trial's speed may differ from the usual (0.2: between 1/1.2 and 1.2)
	// for it to count as undisturbed; files without it are judged by
	// DefaultMaxSpeedChange.
	MaxSpeedChangeKey = "max-speed-change"
	// PrecisionKey names the configuration line with the precision a run
	// asked for: the relative half-width every configuration's sec/op
	// interval should be within ("0.05" for ±5%).
	PrecisionKey = "precision"
)

// DefaultMaxInterference is the most interference an undisturbed trial
// sees: a tenth of the machine. On a quiet 2-vCPU VM trials read 0.00 to
// 0.03 (tick rounding); one CPU hog beside a load reads 0.3 or more.
const DefaultMaxInterference = 0.1

// DefaultMaxSpeedChange is how far from the usual speed an undisturbed
// trial may run: within a factor 1.5 either way. The probe itself scatters
// by ±15% on a shared 2-vCPU VM, where the slow and fast spells it is there
// to catch differ by 1.6 to 1.8 times; a tighter bound retries a third of
// all trials for the probe's own noise.
const DefaultMaxSpeedChange = 0.5

// Disturbance is what a trial measured of the machine while it ran.
type Disturbance struct {
	Interference float64 // NaN where not measured
	Speed        float64 // 0 where not measured
}

// Limits are the bounds of an undisturbed trial.
type Limits struct {
	MaxInterference float64
	MaxSpeedChange  float64
}

// DefaultLimits returns the default bounds.
func DefaultLimits() Limits {
	return Limits{MaxInterference: DefaultMaxInterference, MaxSpeedChange: DefaultMaxSpeedChange}
}

// Score is how disturbed d is, in units of the limits: above 1 is
// disturbed; the larger of the interference over its maximum and the
// speed's distance from 1 (on a log scale, so that half and double are the
// same distance) over the speed's. What was not measured scores 0.
func (l Limits) Score(d Disturbance) float64 {
	var score float64
	if !math.IsNaN(d.Interference) && l.MaxInterference > 0 {
		score = d.Interference / l.MaxInterference
	}
	if d.Speed > 0 && l.MaxSpeedChange > 0 {
		score = max(score, math.Abs(math.Log(d.Speed))/math.Log1p(l.MaxSpeedChange))
	}
	return score
}

// Disturbed reports whether d is outside the limits.
func (l Limits) Disturbed(d Disturbance) bool { return l.Score(d) > 1 }
