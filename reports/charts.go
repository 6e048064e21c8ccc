package reports

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/lockbench/lockbench/reports/units"
)

// Chart is one SVG chart of a report.
type Chart struct {
	Title string
	SVG   []byte // an <svg> element, without an XML declaration
}

// Charts draws, for each unit of Options.Charts (ForLocks: throughput, p99
// latency and fairness), every table of that unit whose rows are positive
// numbers (goroutine counts, as ForLocks makes them): the unit against the
// rows, one line per column. What to plot and how comes from the tables
// themselves: the x axis is named by the row key, a unit in seconds is
// drawn in ns, and the y axis is logarithmic where the values span more
// than a decade.
func Charts(rep *Report) ([]Chart, error) {
	var charts []Chart
	for _, unit := range rep.charts {
		for _, t := range rep.Tables {
			if t.Unit != unit {
				continue
			}
			label, scale := axisOf(unit)
			c, err := lineChart(t, label, scale)
			if err != nil {
				return nil, err
			}
			if c != nil {
				charts = append(charts, *c)
			}
		}
	}
	return charts, nil
}

// axisOf labels a tidied unit's axis (units.Label) and gives the factor to
// plot it by: a unit in seconds is drawn in ns ("p99 latency (ns)").
func axisOf(unit string) (string, float64) {
	if strings.HasSuffix(unit, "-sec") || unit == "sec/op" {
		return units.Label(unit) + " (ns)", 1e9
	}
	return units.Label(unit), 1
}

// lineChart plots a table's medians: x is the row, one line per column. It
// returns nil if the rows are not positive numbers, or fewer than two: a
// line needs two points.
func lineChart(t *Table, label string, scale float64) (*Chart, error) {
	if len(t.Rows) < 2 {
		return nil, nil
	}
	xs := make([]float64, len(t.Rows))
	for i, r := range t.Rows {
		x, err := strconv.ParseFloat(r, 64)
		if err != nil || x <= 0 {
			return nil, nil
		}
		xs[i] = x
	}
	p := plot.New()
	title := label
	if t.Title != "" {
		title += " — " + t.Title
	}
	p.Title.Text = title
	p.X.Label.Text = strings.TrimPrefix(t.RowBy, "/")
	if p.X.Label.Text == "g" {
		p.X.Label.Text = "goroutines (g)"
	}
	p.Y.Label.Text = label
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = goroutineTicks(xs)
	p.Legend.Top = true
	p.Legend.Left = false
	var lines []any
	yMin, yMax := math.Inf(1), math.Inf(-1)
	for j, col := range t.Cols {
		var pts plotter.XYs
		for i := range t.Rows {
			c := t.Cells[i][j]
			if c == nil {
				continue
			}
			y := c.Center * scale
			pts = append(pts, plotter.XY{X: xs[i], Y: y})
			yMin, yMax = math.Min(yMin, y), math.Max(yMax, y)
		}
		if len(pts) > 0 {
			lines = append(lines, col, pts)
		}
	}
	if len(lines) == 0 {
		return nil, nil
	}
	// A log axis only where the values span more than a decade (a FIFO
	// lock's collapse under oversubscription); within one, log ticks would
	// label a single power of ten, and a linear axis from 0 reads better.
	if yMin > 0 && yMax > 10*yMin {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	} else {
		p.Y.Min = math.Min(0, yMin)
	}
	if err := plotutil.AddLinePoints(p, lines...); err != nil {
		return nil, fmt.Errorf("reports: chart %s: %w", title, err)
	}
	w, err := p.WriterTo(7*vg.Inch, 4*vg.Inch, "svg")
	if err != nil {
		return nil, fmt.Errorf("reports: chart %s: %w", title, err)
	}
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("reports: chart %s: %w", title, err)
	}
	svg := b.Bytes()
	if i := bytes.Index(svg, []byte("<svg")); i > 0 {
		svg = svg[i:] // drop the XML declaration: the SVG goes inline in HTML
	}
	return &Chart{Title: title, SVG: svg}, nil
}

// goroutineTicks marks each measured goroutine count on the log x axis.
type goroutineTicks []float64

func (g goroutineTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for _, x := range g {
		if x >= min && x <= max {
			ticks = append(ticks, plot.Tick{Value: x, Label: strings.TrimSuffix(strconv.FormatFloat(x, 'f', -1, 64), ".0")})
		}
	}
	if len(ticks) == 0 {
		return plot.LogTicks{Prec: -1}.Ticks(min, math.Max(max, min*10))
	}
	return ticks
}
