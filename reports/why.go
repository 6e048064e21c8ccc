package reports

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/lockbench/lockbench/reports/units"
)

// WhySection explains one workload's costs from the locks' statistics
// (lockbench run -stats): for each lock and goroutine count, the events of
// an operation, and one sentence per lock, generated from its figures at
// the most goroutines.
type WhySection struct {
	Workload   string     `json:"workload"`   // the tables' title, e.g. "mix:inc cs:0 path:direct stats:on"
	Goroutines []string   `json:"goroutines"` // the rows of its tables
	Locks      []string   `json:"locks"`
	Cells      [][]string `json:"cells"`     // [lock][goroutines], e.g. "46% waited, 12 spins, 0.46 hand-offs"
	Sentences  []string   `json:"sentences"` // one per lock
}

// isWhyUnit reports a lock statistic's unit: explained, never ranked.
var isWhyUnit = units.Why

// whyEvents are the per-operation units a WhySection shows, in order, and
// how a cell names them.
var whyEvents = []struct{ unit, name string }{
	{"spins/op", "spins"},
	{"yields/op", "yields"},
	{"parks/op", "parks"},
	{"handoffs/op", "hand-offs"},
	{"pending/op", "pending"},
	{"queued/op", "queued"},
	{"drains/op", "drains"},
	{"retries/op", "retries"},
}

// Why returns the report's explanations, one section per workload that has
// lock statistics; none without them.
func (r *Report) Why() []WhySection {
	// The statistics' tables, by workload and unit.
	byWorkload := map[string]map[string]*Table{}
	var workloads []string
	for _, t := range r.Tables {
		if !isWhyUnit(t.Unit) && t.Unit != "sec/op" {
			continue
		}
		m, ok := byWorkload[t.Title]
		if !ok {
			m = map[string]*Table{}
			byWorkload[t.Title] = m
			workloads = append(workloads, t.Title)
		}
		m[t.Unit] = t
	}
	var out []WhySection
	for _, w := range workloads {
		tables := byWorkload[w]
		contended, ok := tables["contended"]
		if !ok {
			continue // a workload without statistics
		}
		out = append(out, whySection(w, contended, tables))
	}
	return out
}

func whySection(workload string, contended *Table, tables map[string]*Table) WhySection {
	s := WhySection{Workload: workload, Goroutines: contended.Rows, Locks: contended.Cols}
	most := mostGoroutines(contended.Rows)
	for _, lock := range s.Locks {
		var row []string
		for _, g := range s.Goroutines {
			row = append(row, whyCell(figures(tables, g, lock)))
		}
		s.Cells = append(s.Cells, row)
		if most != "" {
			s.Sentences = append(s.Sentences, whySentence(lock, most, figures(tables, most, lock)))
		}
	}
	return s
}

// mostGoroutines returns the largest numeric row, "" if none is a number.
func mostGoroutines(rows []string) string {
	best, bestN := "", math.Inf(-1)
	for _, r := range rows {
		if n, err := strconv.ParseFloat(r, 64); err == nil && n > bestN {
			best, bestN = r, n
		}
	}
	return best
}

// figures returns the medians of one lock at one goroutine count, by unit.
func figures(tables map[string]*Table, g, lock string) map[string]float64 {
	out := map[string]float64{}
	for unit, t := range tables {
		i, j := slices.Index(t.Rows, g), slices.Index(t.Cols, lock)
		if i < 0 || j < 0 || t.Cells[i][j] == nil {
			continue
		}
		out[unit] = t.Cells[i][j].Center
	}
	return out
}

// whyCell summarises one lock's statistics at one goroutine count.
func whyCell(v map[string]float64) string {
	c, ok := v["contended"]
	if !ok {
		return ""
	}
	parts := []string{percent(c) + " waited"}
	for _, e := range whyEvents {
		if n := v[e.unit]; n >= 0.005 {
			parts = append(parts, short(n)+" "+e.name)
		}
	}
	if w, ok := v["wait-ns"]; ok && c > 0 {
		parts = append(parts, "wait "+duration(w*1e-9))
	}
	return strings.Join(parts, ", ")
}

// whySentence says, from one lock's figures at g goroutines, where its time
// goes.
func whySentence(lock, g string, v map[string]float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s at g=%s", lock, g)
	if cost, ok := v["sec/op"]; ok {
		fmt.Fprintf(&b, " (%s per operation)", duration(cost))
	}
	c := v["contended"]
	fmt.Fprintf(&b, ": %s of acquisitions waited", percent(c))
	if w, ok := v["wait-ns"]; ok && c > 0 {
		fmt.Fprintf(&b, ", %s each on average", duration(w*1e-9))
	}
	var events []string
	for _, e := range whyEvents {
		if n := v[e.unit]; n >= 0.005 {
			events = append(events, short(n)+" "+e.name)
		}
	}
	if len(events) > 0 {
		fmt.Fprintf(&b, "; per operation %s", strings.Join(events, ", "))
	}
	b.WriteString(": ")
	b.WriteString(reason(v))
	b.WriteString(".")
	return b.String()
}

// reason reads the figures: the first rule that fits.
func reason(v map[string]float64) string {
	c, spins, yields, parks, handoffs := v["contended"], v["spins/op"], v["yields/op"], v["parks/op"], v["handoffs/op"]
	switch {
	case c < 0.01 && v["retries/op"] < 0.01:
		return "it is almost never contended, so its cost is its fast path"
	case v["retries/op"] >= 0.01:
		return "its readers take no lock and read again when a writer overlapped them"
	case parks >= 0.05 && handoffs >= 0.05:
		return "the lock is handed to a waiter that sleeps, and nobody proceeds until the scheduler has woken it"
	case parks >= 0.05:
		return "its waiters sleep, and each wake-up goes through the scheduler"
	case yields >= 0.05 && handoffs >= 0.05:
		return "the next owner gives its CPU away while it waits, so a hand-off waits for the scheduler to run it again"
	case yields >= 0.05:
		return "its waiters give their CPU away and come back a scheduler's turn later"
	case spins >= 5:
		return "its waiters spin on the lock word: the cost is its cache line moving between CPUs"
	case v["wait-ns"] >= 1000:
		return "its waits last microseconds, longer than any spin: its waiters are asleep or descheduled"
	case v["wait-ns"] >= 300:
		return "its waits last hundreds of nanoseconds, several hand-offs' worth: its waiters queue behind one another"
	}
	return "its waits are short, about a hand-off"
}

// percent writes a fraction as a percentage: "46%", "0.3%".
func percent(f float64) string {
	p := 100 * f
	if p != 0 && p < 1 {
		return strconv.FormatFloat(p, 'g', 1, 64) + "%"
	}
	return strconv.FormatFloat(math.Round(p), 'f', 0, 64) + "%"
}

// short writes a count per operation with two significant digits.
func short(n float64) string { return strconv.FormatFloat(n, 'g', 2, 64) }

// duration writes seconds as ns or µs, two or three significant digits.
func duration(sec float64) string {
	ns := sec * 1e9
	if ns >= 1000 {
		return strconv.FormatFloat(ns/1000, 'g', 3, 64) + "µs"
	}
	return strconv.FormatFloat(ns, 'g', 3, 64) + "ns"
}
