// Package units is the one table of the units lockbench's results carry and
// which way each is better. Package bench writes its "Unit ... better="
// lines from it, and package reports reads it for files that have none (go
// test -bench output): one owner, so that the two cannot disagree.
//
// It imports only x/perf's benchunit, so that bench can use it without
// taking in the reports' charts.
package units

import (
	"strings"

	"golang.org/x/perf/benchunit"

	"github.com/lockbench/lockbench/internal/sample"
)

// Better directions, as benchfmt's "better=" key spells them.
const (
	Higher = "higher"
	Lower  = "lower"
)

// Kind is how a unit's values read: what a report writes them as.
type Kind int

const (
	Count    Kind = iota // a number, per operation or per second: "6.4", "45.1M"
	Time                 // a duration: sec/op in seconds, units ending in "-ns" in ns: "28.0ns", "1.23µs"
	Fraction             // a share between 0 and 1, written as one: "0.63", never "630m"
	Ratio                // one figure over another: "8.99x"
	Bytes                // B/op: binary prefixes
)

// Custom are the units lockbench adds to the standard ns/op, B/op and
// allocs/op, as a results file spells them, in the order bench reports
// them, with the direction that is better and how their values read.
// A label, if any, names the unit on a chart's axis. Why marks the lock
// statistics (lockbench run -stats): they explain a lock's cost and are
// never used to rank locks.
//
// A report names every unit as the file does ("p99-ns", not benchstat's
// tidied "p99-sec"), so that results.txt, the report and the README use
// one name; sec/op, which benchstat users know for ns/op, is the one
// exception.
var Custom = []struct {
	Unit, Better, Label string
	Kind                Kind
	Why                 bool
}{
	{"ops/s", Higher, "throughput (ops/s)", Count, false},
	{"writes/s", Higher, "write throughput under readers (writes/s)", Count, false},
	{"fairness", Higher, "fairness (Jain's index)", Fraction, false},
	{"max/min", Lower, "slowest goroutine's latency over the fastest's", Ratio, false},
	{"p50-ns", Lower, "p50 latency", Time, false},
	{"p99-ns", Lower, "p99 latency", Time, false},
	{"p999-ns", Lower, "p99.9 latency", Time, false},
	{sample.InterferenceUnit, Lower, "", Fraction, false},
	{sample.SpeedUnit, Higher, "", Ratio, false},
	// Lock statistics (lockbench run -stats): fewer events, shorter waits.
	{"contended", Lower, "contended acquisitions (fraction)", Fraction, true},
	{"spins/op", Lower, "spins per operation", Count, true},
	{"yields/op", Lower, "yields per operation", Count, true},
	{"parks/op", Lower, "parks per operation", Count, true},
	{"wakeups/op", Lower, "wake-ups per operation", Count, true},
	{"handoffs/op", Lower, "hand-offs per operation", Count, true},
	{"pending/op", Lower, "pending waits per operation", Count, true},
	{"queued/op", Lower, "queued waits per operation", Count, true},
	{"drains/op", Lower, "reader drains per operation", Count, true},
	{"retries/op", Lower, "read retries per operation", Count, true},
	{"wait-ns", Lower, "mean wait of a contended acquisition", Time, true},
	{"wait-p99-ns", Lower, "p99 wait of a contended acquisition", Time, true},
	{"hold-ns", Lower, "mean hold", Time, true},
	{"hold-p99-ns", Lower, "p99 hold", Time, true},
}

// The tables below hold every known unit by its name in a file and by its
// tidied name (benchunit.Tidy: "p99-ns" is "p99-sec", ns/op is sec/op).
var better, label, why, kind = func() (map[string]string, map[string]string, map[string]bool, map[string]Kind) {
	b := map[string]string{"sec/op": Lower, "ns/op": Lower, "B/op": Lower, "allocs/op": Lower}
	l := map[string]string{"sec/op": "time per operation", "ns/op": "time per operation"}
	w := map[string]bool{}
	k := map[string]Kind{"sec/op": Time, "ns/op": Time, "B/op": Bytes}
	for _, u := range Custom {
		_, tidy := benchunit.Tidy(1, u.Unit)
		for _, name := range []string{u.Unit, tidy} {
			b[name] = u.Better
			if u.Label != "" {
				l[name] = u.Label
			}
			w[name] = u.Why
			k[name] = u.Kind
		}
	}
	return b, l, w, k
}()

// Why reports a lock statistic's unit (see Custom), written as in a file
// or tidied.
func Why(unit string) bool { return why[unit] }

// Label names a unit on a chart's axis: "p99 latency" for p99-ns (or
// p99-sec), the unit itself for one without a label.
func Label(unit string) string {
	if l, ok := label[unit]; ok {
		return l
	}
	return unit
}

// Better returns which way unit is better, Higher or Lower, for a unit
// lockbench knows, written as in a file ("p99-ns") or tidied ("p99-sec");
// "" for others.
func Better(unit string) string { return better[unit] }

// KindOf returns how unit's values read, written as in a file or tidied;
// for a unit lockbench does not know, Time if its name ends in "-ns" (as
// go test's custom latency units do), else Count.
func KindOf(unit string) Kind {
	if k, ok := kind[unit]; ok {
		return k
	}
	if strings.HasSuffix(unit, "-ns") {
		return Time
	}
	return Count
}
