package bench

import (
	"math"

	"github.com/montanaflynn/stats"
)

// JainIndex returns Jain's fairness index of xs, (Σx)² / (n·Σx²): 1 when
// every goroutine did the same amount of work, 1/n when one did all of it.
// No values, or all zero, is perfectly fair (1).
func JainIndex[T uint64 | float64](xs []T) float64 {
	var sum, sumSq float64
	for _, c := range xs {
		x := float64(c)
		sum += x
		sumSq += x * x
	}
	if sumSq == 0 {
		return 1
	}
	return sum * sum / (float64(len(xs)) * sumSq)
}

// MaxMinRatio returns the largest value over the smallest, locktorture's
// starvation hint ("???" when max/2 > min). A goroutine that did nothing
// counts as 1, so a starved goroutine gives the busiest one's value rather
// than infinity. No values is 1.
func MaxMinRatio[T uint64 | float64](xs []T) float64 {
	if len(xs) == 0 {
		return 1
	}
	lo, hi := math.Inf(1), 0.0
	for _, c := range xs {
		lo = min(lo, float64(c))
		hi = max(hi, float64(c))
	}
	if hi == 0 {
		return 1
	}
	return hi / max(lo, 1)
}

// ProgressRates returns each goroutine's operations per progress window
// (about 1 ms) in which it ran and made progress, leaving out goroutines
// that never ran.
//
// Why not the raw counts: with more goroutines than CPUs, a goroutine that
// never blocks keeps its P for the scheduler's 10 ms time slice, so over a
// trial of a few hundred milliseconds some of 64 goroutines run many slices
// and some none, whatever the guard: the raw counts' Jain index reads 0.3
// for a bare atomic add, which has no lock to be unfair. Dividing by the
// windows in which a goroutine ran compares goroutines only while they
// compete. What the lock does still shows: a goroutine that waits for the
// guard makes fewer operations per window it runs in; one that waits a whole
// window starts no chunk in it, so those windows drop out, but the chunk it
// waited in still holds as few operations as it completed. A goroutine that
// waits for the whole trial ran in its first window and made no progress:
// rate 0.
func ProgressRates(ops, windows []uint64) []float64 {
	rates := make([]float64, 0, len(ops))
	for i, n := range ops {
		if i >= len(windows) || windows[i] == 0 {
			continue
		}
		rates = append(rates, float64(n)/float64(windows[i]))
	}
	return rates
}

// Latency summarises sampled latencies of one operation, in nanoseconds.
type Latency struct {
	Samples        int
	P50, P99, P999 float64
}

// minLatencySamples is the fewest samples for which percentiles are
// reported; with fewer, p99.9 would only repeat the maximum.
const minLatencySamples = 100

// latencyOf computes the percentiles of samples (ns), with montanaflynn/stats'
// linear interpolation between closest ranks. With fewer than
// minLatencySamples samples only Samples is set.
func latencyOf(samples []float64) Latency {
	l := Latency{Samples: len(samples)}
	if len(samples) < minLatencySamples {
		return l
	}
	data := stats.Float64Data(samples)
	// Percentile fails only on empty input or a percent outside (0, 100].
	l.P50, _ = stats.Percentile(data, 50)
	l.P99, _ = stats.Percentile(data, 99)
	l.P999, _ = stats.Percentile(data, 99.9)
	return l
}
