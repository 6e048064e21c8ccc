package reports

import (
	"math"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchunit"

	"github.com/lockbench/lockbench/reports/units"
)

// valueFormat writes one unit's values for people, by the unit's kind
// (units.KindOf): a duration with its unit ("28.02ns", "1.23µs"), a
// fraction as one ("0.63", not benchstat's "630.0m"), a ratio as a ratio
// ("8.99x"), a count plainly below a thousand ("6.4") and with an SI
// prefix above ("45.10M"), bytes with binary prefixes. Durations and large
// counts share one prefix across the values it was made for, as benchstat
// scales a row, so that a row reads in one unit.
type valueFormat func(float64) string

// formatFor returns the format of unit for values such as those given
// (a row's medians).
func formatFor(unit string, values []float64) valueFormat {
	switch units.KindOf(unit) {
	case units.Time:
		perSecond := 1e-9 // a "-ns" unit
		if unit == "sec/op" || strings.HasSuffix(unit, "-sec") {
			perSecond = 1 // in seconds, as benchstat's tidied units are
		}
		sec := make([]float64, len(values))
		for i, v := range values {
			sec[i] = v * perSecond
		}
		scaler := benchunit.CommonScale(sec, benchunit.Decimal)
		return func(v float64) string { return scaler.Format(v*perSecond) + "s" }
	case units.Fraction:
		return formatFraction
	case units.Ratio:
		return formatRatio
	case units.Bytes:
		return benchunit.CommonScale(values, benchunit.Binary).Format
	}
	for _, v := range values {
		if math.Abs(v) >= 1000 {
			return benchunit.CommonScale(values, benchunit.Decimal).Format
		}
	}
	return func(v float64) string { return significant(v, 3) }
}

// formatFraction writes a share: two decimals ("0.63", "1.00"), or two
// significant digits below a tenth ("0.0031"), so that a small share does
// not read as zero.
func formatFraction(v float64) string {
	if v == 0 || math.Abs(v) >= 0.1 {
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return significant(v, 2)
}

// formatRatio writes a ratio with two decimals below a hundred ("1.00x",
// "8.99x"), three significant digits above.
func formatRatio(v float64) string {
	if math.Abs(v) < 100 {
		return strconv.FormatFloat(v, 'f', 2, 64) + "x"
	}
	return significant(v, 3) + "x"
}

// significant writes v with n significant digits and never an exponent
// between a millionth and a billion: "6.4", "0.052", "1230".
func significant(v float64, n int) string {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	mag := int(math.Floor(math.Log10(math.Abs(v))))
	if mag < -6 || mag > 9 {
		return strconv.FormatFloat(v, 'g', n, 64)
	}
	decimals := max(n-1-mag, 0)
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// rangeText writes a summary's confidence interval as benchstat does, "±
// 2%", or "± ∞" with too few samples; an interval wider than the median
// itself (a skewed sample: a ratio whose worst trial is a hundred times its
// median) or around a median of 0 is written as its bounds,
// "(1.20x–950x)", where "± 10464%" or "± ?" would say nothing readable.
func rangeText(s benchmath.Summary, format valueFormat) string {
	if math.IsInf(s.Lo, 0) || math.IsInf(s.Hi, 0) {
		return "± ∞"
	}
	if s.Lo == s.Hi {
		return "± 0%"
	}
	// At a width of 100% (a bound at 0) or a median of 0, a percentage
	// says nothing (benchstat writes "?"): the bounds do.
	if s.Center == 0 || math.Max(s.Hi-s.Center, s.Center-s.Lo)/math.Abs(s.Center) >= 1 {
		return "(" + format(s.Lo) + "–" + format(s.Hi) + ")"
	}
	return "± " + s.PctRangeString()
}

// untidy names a latency value by its unit as the file spells it: benchfmt
// reads "p99-ns" as "p99-sec" in seconds, and a report says p99-ns, in ns,
// as results.txt and the README do. ns/op stays benchstat's sec/op.
func untidy(v *benchfmt.Value) {
	if !strings.HasSuffix(v.OrigUnit, "-ns") {
		return
	}
	v.Value, v.Unit = v.OrigValue, v.OrigUnit
	v.OrigValue, v.OrigUnit = 0, ""
}
