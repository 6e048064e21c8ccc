package reports

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/perf/benchmath"
)

// TestValuesReadAsTheirKind: the defects a new user found in the report,
// "631.0m" for a fairness, "p50-sec" where the README says p50-ns, and a
// ratio at "± 10464%".
func TestValuesReadAsTheirKind(t *testing.T) {
	for _, c := range []struct {
		unit   string
		values []float64
		want   []string
	}{
		{"sec/op", []float64{28.02e-9, 1.5e-6}, []string{"28.02ns", "1500.00ns"}},
		{"sec/op", []float64{1.23e-6}, []string{"1.230µs"}},
		{"p99-ns", []float64{1172, 130}, []string{"1172.0ns", "130.0ns"}},
		{"wait-ns", []float64{36500}, []string{"36.50µs"}},
		{"fairness", []float64{0.631, 1, 0.0031}, []string{"0.63", "1.00", "0.0031"}},
		{"contended", []float64{0.46, 0}, []string{"0.46", "0.00"}},
		{"max/min", []float64{8.986, 1, 950}, []string{"8.99x", "1.00x", "950x"}},
		{"spins/op", []float64{6.4, 0.052, 0.631}, []string{"6.4", "0.052", "0.631"}},
		{"ops/s", []float64{45.1e6, 3.8e6}, []string{"45.100M", "3.800M"}},
		{"B/op", []float64{0, 0}, []string{"0.000", "0.000"}},
	} {
		f := formatFor(c.unit, c.values)
		for i, v := range c.values {
			assert.Equal(t, c.want[i], f(v), "%s %v", c.unit, v)
		}
	}
}

func TestWideIntervalsAreWrittenAsBounds(t *testing.T) {
	f := formatFor("max/min", []float64{8.986})
	assert.Equal(t, "(1.20x–950x)", rangeText(benchmath.Summary{Center: 8.986, Lo: 1.2, Hi: 950, Confidence: 0.95}, f))
	assert.Equal(t, "± 10%", rangeText(benchmath.Summary{Center: 10, Lo: 9, Hi: 11, Confidence: 0.95}, f))
}
