package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/lockbench/lockbench/internal/sample"
)

// judge holds what a results file says of how to judge its cells.
type judge struct {
	limits    sample.Limits // a trial beyond them was disturbed
	precision float64       // the sec/op target; 0 for none
}

// judgeFrom reads the file's configuration lines (see the package doc).
func judgeFrom(config []ConfigLine) judge {
	j := judge{limits: sample.DefaultLimits()}
	for _, c := range config {
		v, err := strconv.ParseFloat(strings.TrimSpace(c.Value), 64)
		if err != nil {
			continue
		}
		switch c.Key {
		case sample.MaxInterferenceKey:
			j.limits.MaxInterference = v
		case sample.MaxSpeedChangeKey:
			j.limits.MaxSpeedChange = v
		case sample.PrecisionKey:
			j.precision = v
		}
	}
	return j
}

// headlineUnit is the unit whose cells the report's lists describe (one line
// per cell, not per unit) and the precision target applies to.
const headlineUnit = "sec/op"

// mark flags t's disturbed and unconverged cells with notes and, for the
// headline unit, lists them and the bimodal cells in rep. trials holds the
// disturbance units of t's workload's trials, by cell.
func (j judge) mark(rep *Report, t *Table, trials map[cellKey][]sample.Disturbance) {
	headline := t.Unit == headlineUnit
	for i, row := range t.Cells {
		for k, c := range row {
			if c == nil {
				continue
			}
			where := t.cellName(i, k)
			if ds := trials[cellKey{t.rowKeys[i], t.colKeys[k]}]; len(ds) > 0 {
				for _, d := range ds {
					if j.limits.Disturbed(d) {
						c.Disturbed++
					}
				}
				if c.Disturbed > 0 {
					c.Notes = append(c.Notes, t.note([]error{fmt.Errorf(
						"disturbed: in some trials other work took more than %g of the machine, or it ran more than %g times slower or faster than usual",
						j.limits.MaxInterference, 1+j.limits.MaxSpeedChange)})...)
					if headline {
						rep.Disturbed = append(rep.Disturbed, fmt.Sprintf("%s: %d of %d trials disturbed (%s)",
							where, c.Disturbed, len(ds), disturbanceRange(ds)))
					}
				}
			}
			if !headline {
				continue
			}
			rep.Cells++
			if c.Clusters != nil {
				rep.Bimodal = append(rep.Bimodal, fmt.Sprintf("%s: %s", where, clusterText(c.Clusters, t.Unit)))
			}
			if j.precision > 0 {
				if w := c.relHalfWidth(); w > j.precision {
					c.Unconverged = true
					c.Notes = append(c.Notes, t.note([]error{fmt.Errorf(
						"not converged: the 95%% interval is wider than the ±%s target", pct(j.precision))})...)
					if c.Clusters == nil {
						rep.Unconverged = append(rep.Unconverged, fmt.Sprintf("%s: ± %.1f%%, %d trials", where, 100*w, c.N))
					}
				}
			}
		}
	}
}

// disturbanceRange describes trials' disturbance units: "interference up to
// 0.35, speed 0.62–1.05".
func disturbanceRange(ds []sample.Disturbance) string {
	var parts []string
	worst, lo, hi := math.NaN(), math.Inf(1), 0.0
	for _, d := range ds {
		if !math.IsNaN(d.Interference) && !(d.Interference <= worst) {
			worst = d.Interference
		}
		if d.Speed > 0 {
			lo, hi = min(lo, d.Speed), max(hi, d.Speed)
		}
	}
	if !math.IsNaN(worst) {
		parts = append(parts, fmt.Sprintf("interference up to %.2f", worst))
	}
	if hi > 0 {
		parts = append(parts, fmt.Sprintf("speed %.2f–%.2f", lo, hi))
	}
	return strings.Join(parts, ", ")
}

// cellName names a cell as a results file does: "mix:inc cs:0 g=2 lock=tas".
func (t *Table) cellName(i, k int) string {
	name := t.rowName(i) + " " + strings.TrimLeft(t.ColBy, "./") + "=" + t.Cols[k]
	if t.Title != "" {
		name = t.Title + " " + name
	}
	return name
}

// rowName names row i by its key: "g=2".
func (t *Table) rowName(i int) string { return strings.TrimLeft(t.RowBy, "./") + "=" + t.Rows[i] }

func (c *Cell) relHalfWidth() float64 {
	return sample.Summary{Center: c.Center, Lo: float64(c.Lo), Hi: float64(c.Hi), N: c.N}.RelHalfWidth()
}

// markClusters shows a bimodal cell as both clusters, in the row's scale,
// with a note giving their sizes and ranges.
func (c *Cell) markClusters(format valueFormat) {
	c.Clusters = sample.Bimodal(c.sample.Values)
	if c.Clusters == nil {
		return
	}
	lo, hi := c.Clusters[0], c.Clusters[1]
	c.Value = format(lo.Center) + " | " + format(hi.Center)
	c.Range = fmt.Sprintf("bimodal %d|%d", lo.N, hi.N)
}

// clusterText describes two clusters: "bimodal: 4 trials around 33.35ns
// (33.00ns–34.00ns), 2 around 129.0ns (128.0ns–130.0ns)".
func clusterText(cs []sample.Cluster, unit string) string {
	f := func(x float64) string { return formatFor(unit, []float64{x})(x) }
	lo, hi := cs[0], cs[1]
	return fmt.Sprintf("bimodal: %d trials around %s (%s–%s), %d around %s (%s–%s)",
		lo.N, f(lo.Center), f(lo.Min), f(lo.Max), hi.N, f(hi.Center), f(hi.Min), f(hi.Max))
}

// pct writes a fraction as a percentage: 0.05 as "5%".
func pct(x float64) string { return strconv.FormatFloat(100*x, 'g', 3, 64) + "%" }

// Summary returns what the report says of its own cells, as lines for a
// reader: the units left out, disturbed cells, cells that did not converge
// and bimodal cells, each list under a heading line. It is empty when there
// is nothing to say.
func (r *Report) Summary() []string {
	var out []string
	if len(r.Omitted) > 0 {
		out = append(out, "left out, the same in every cell: "+strings.Join(r.Omitted, ", "))
	}
	list := func(head string, items []string) {
		if len(items) == 0 {
			return
		}
		out = append(out, head)
		for _, it := range items {
			out = append(out, "  "+it)
		}
	}
	list(fmt.Sprintf("warning: %d of %d cells had disturbed trials (other work took more of the machine than the run allowed, or the machine ran at other than its usual speed); their figures are suspect:",
		len(r.Disturbed), r.Cells), r.Disturbed)
	if r.Precision > 0 {
		if len(r.Unconverged) == 0 {
			out = append(out, fmt.Sprintf("converged: every one of %d cells to ±%s or better (95%% interval)%s",
				r.Cells-len(r.Bimodal), pct(r.Precision), bimodalAside(len(r.Bimodal))))
		} else {
			list(fmt.Sprintf("not converged: %d of %d cells are wider than ±%s (95%% interval)%s:",
				len(r.Unconverged), r.Cells, pct(r.Precision), bimodalAside(len(r.Bimodal))), r.Unconverged)
		}
	}
	list(fmt.Sprintf("bimodal: %d cells fall into two separate clusters (shown as both; the best column and geomeans still use the median of all trials):", len(r.Bimodal)), r.Bimodal)
	return out
}

func bimodalAside(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", not counting %d bimodal", n)
}
