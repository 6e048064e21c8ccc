package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/lockbench/lockbench/reports/units"
)

// Chart is one SVG chart of a report.
//
// The SVG names its parts for a page's scripts and tests: the plotted
// series (lines, markers and error bars) are inside <g class="lines">, the
// legend (box, swatches and names) inside <g class="legend">, and the tick
// labels are <text class="tick-x"> and <text class="tick-y">.
type Chart struct {
	Title string
	SVG   []byte // an <svg> element, without an XML declaration
}

// The chart's size: wide enough for a plot and a legend beside it, and
// readable at about 700 CSS pixels wide (text of 10pt is then 11px). A
// chart grows taller where its legend needs more room.
const (
	chartWidth  = 8.5 * vg.Inch
	chartHeight = 4 * vg.Inch
	chartMargin = 6 // points around the plot and the legend, so that no text touches the SVG's edge
)

// The text is sans-serif, which reads better on a screen at small sizes.
// gonum measures text by its Liberation fonts, but the browser draws it
// with the fonts it has, which may be wider (DejaVu Sans, a common
// fallback, is): every length measured from text is multiplied by
// fontSlack, so that a wider fallback still fits (DejaVu Sans, which CI's
// Chromium draws with, needed more than 1.15).
var sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

const fontSlack = 1.25

// Font sizes, in points.
const (
	titleFontSize  = 12
	labelFontSize  = 11 // the axes' names
	tickFontSize   = 10
	legendFontSize = 10
)

// The series' styles. Each lock draws in its palette colour (seriesColor)
// with its own marker, so that a lock is the same colour in every chart
// and in the winner map, and series that share a colour (beyond the
// palette's sixteen) still differ by marker. The baselines (atomic,
// sharded: Options.Baselines) are dashed: they are the cost of no lock,
// shown for reference.
var (
	glyphs = []draw.GlyphDrawer{
		draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PyramidGlyph{},
		draw.RingGlyph{}, draw.BoxGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{},
	}
	lineWidth         = vg.Points(1.5)
	glyphRadius       = vg.Points(3)
	errorBarWidth     = vg.Points(1)
	errorBarCap       = vg.Points(5)
	baselineDashes    = []vg.Length{vg.Points(6), vg.Points(3)}
	legendPadding     = vg.Points(2) // between entries, so that descenders clear the next name
	gridColor         = color.Gray{Y: 0xE0}
	legendBorder      = color.Gray{Y: 0xA0}
	legendBorderWidth = vg.Points(1)
)

// seriesStyle is the line and marker of the series at palette index idx:
// colour idx modulo the palette, marker idx plus one per lap of the
// palette, modulo the markers, so that colour and marker together differ
// for the first len(palette)×len(glyphs) series.
func seriesStyle(idx int, baseline bool) (draw.LineStyle, draw.GlyphStyle) {
	c := seriesColor(idx)
	line := draw.LineStyle{Color: c, Width: lineWidth}
	if baseline {
		line.Dashes = baselineDashes
	}
	shape := glyphs[(idx+idx/len(palette))%len(glyphs)]
	return line, draw.GlyphStyle{Color: c, Radius: glyphRadius, Shape: shape}
}

// Charts draws, for each unit of Options.Charts (ForLocks: time per
// operation, throughput, p99 latency, fairness and the lock statistics),
// every table of that unit whose rows are positive numbers (goroutine
// counts, as ForLocks makes them): the unit against the rows, one line per
// column, each point its median with its confidence interval
// (Options.Confidence) as an error bar. What to plot and how comes from
// the tables themselves: the x axis is named by the row key, a time is
// drawn in ns, and the y axis is logarithmic where the values span a
// factor of logSpan or more.
func Charts(rep *Report) ([]Chart, error) {
	index := rep.seriesIndex()
	var charts []Chart
	for _, unit := range rep.charts {
		for _, t := range rep.Tables {
			if t.Unit != unit {
				continue
			}
			c, err := lineChart(t, axisOf(unit), func(col string) (draw.LineStyle, draw.GlyphStyle) {
				return seriesStyle(index[col], slices.Contains(rep.baselines, col))
			})
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

// yAxis is how a unit is drawn: its axis's name and the factor that turns
// its values into the axis's.
type yAxis struct {
	label string
	scale float64
}

// axisOf names a unit's axis (units.Label) and scales it: a time is drawn
// in ns, whether the unit is sec/op, a latency in ns ("p99-ns") or one
// tidied to seconds ("p99-sec", as results were read before latencies kept
// their ns).
func axisOf(unit string) yAxis {
	const secToNs = 1e9
	switch {
	case unit == "sec/op", strings.HasSuffix(unit, "-sec"):
		return yAxis{units.Label(unit) + " (ns)", secToNs}
	case strings.HasSuffix(unit, "-ns"):
		return yAxis{units.Label(unit) + " (ns)", 1}
	}
	return yAxis{units.Label(unit), 1}
}

// lineChart plots a table: x is the row, one line per column, in the
// style that style gives the column. It returns nil if the rows are not
// positive numbers, or fewer than two: a line needs two points.
func lineChart(t *Table, ax yAxis, style func(col string) (draw.LineStyle, draw.GlyphStyle)) (*Chart, error) {
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
	title := ax.label
	if t.Title != "" {
		title += " — " + t.Title
	}

	legend := plot.NewLegend()
	legend.TextStyle.Font = font.From(sansFont, legendFontSize)
	legend.Top, legend.Left = true, true
	legend.Padding = legendPadding
	var series, bars []plot.Plotter
	var names []string
	var ys []float64
	for j, col := range t.Cols {
		var pts plotter.XYs
		eb := &errorBars{}
		for i := range t.Rows {
			c := t.Cells[i][j]
			if c == nil {
				continue
			}
			y := c.Center * ax.scale
			pts = append(pts, plotter.XY{X: xs[i], Y: y})
			ys = append(ys, y)
			eb.add(xs[i], float64(c.Lo)*ax.scale, float64(c.Hi)*ax.scale)
		}
		if len(pts) == 0 {
			continue
		}
		lineStyle, glyphStyle := style(col)
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("reports: chart %s: %w", title, err)
		}
		line.LineStyle = lineStyle
		marks, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, fmt.Errorf("reports: chart %s: %w", title, err)
		}
		marks.GlyphStyle = glyphStyle
		eb.style = draw.LineStyle{Color: lineStyle.Color, Width: errorBarWidth}
		bars = append(bars, eb)
		series = append(series, line, marks)
		legend.Add(col, line, marks)
		names = append(names, col)
	}
	if len(series) == 0 {
		return nil, nil
	}

	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sansFont, titleFontSize)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sansFont, labelFontSize)
		a.Tick.Label.Font = font.From(sansFont, tickFontSize)
	}
	p.X.Label.Text = strings.TrimPrefix(t.RowBy, "/")
	if p.X.Label.Text == "g" {
		p.X.Label.Text = "goroutines (g)"
	}
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = goroutineTicks(xs)
	p.X.Min, p.X.Max = slices.Min(xs)/xPad, slices.Max(xs)*xPad
	p.X.Tick.Label.Color = tickXColor
	p.Y.Label.Text = ax.label
	lo, hi := slices.Min(ys), slices.Max(ys)
	// The error bars are part of the picture: the axis takes them in, up
	// to a factor reach beyond the medians, so that one wild interval
	// does not flatten every line.
	for _, eb := range bars {
		eb := eb.(*errorBars)
		for k := range eb.xs {
			if eb.lo[k] > 0 {
				lo = min(lo, max(eb.lo[k], slices.Min(ys)/errorBarReach))
			}
			hi = max(hi, min(eb.hi[k], slices.Max(ys)*errorBarReach))
		}
	}
	p.Y.Min, p.Y.Max, p.Y.Scale, p.Y.Tick.Marker = yRange(lo, hi)
	p.Y.Tick.Label.Color = tickYColor
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = gridColor, gridColor
	// The error bars first, so that the lines and markers are drawn over
	// them; all in one group, which the SVG names "lines".
	p.Add(grid, markedGroup{linesMark, append(bars, series...)})

	svg, err := render(p, &legend, names)
	if err != nil {
		return nil, fmt.Errorf("reports: chart %s: %w", title, err)
	}
	return &Chart{Title: title, SVG: svg}, nil
}

// render draws p with its legend to the right of it, outside the plotted
// area (inside, it would cover the lines), and returns the SVG with its
// parts named (see Chart). The legend's strip is as wide as its widest
// name, and the chart as tall as the legend needs; the title and the y
// axis's name shrink to fit where they are long.
//
// It draws p's y axis's name itself (see below), and so clears it in p.
func render(p *plot.Plot, legend *plot.Legend, names []string) ([]byte, error) {
	namesWidth, height := legendSize(legend, names)
	em := legend.TextStyle.Rectangle(" ").Max.X
	stripWidth := legend.ThumbnailWidth + em + namesWidth + 2*em
	titleHeight := p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding
	h := max(chartHeight, height+titleHeight+2*em+2*chartMargin)

	canvas := vgsvg.New(chartWidth, h)
	full := draw.New(canvas)
	plotArea := draw.Crop(full, chartMargin, -(chartMargin + stripWidth), chartMargin, -chartMargin)
	fitFont(&p.Title.TextStyle, p.Title.Text, plotArea.Size().X)
	// The y axis's name is drawn here, not by p: p reserves room for it at
	// the middle of the axis's values, which on a log axis is near its top,
	// and would squeeze the data down to make it.
	yName := p.Y.Label
	p.Y.Label.Text = ""
	fitFont(&yName.TextStyle, yName.Text, plotArea.Size().Y-titleHeight-xAxisHeight(&p.X))
	nameHeight := yName.TextStyle.Height(yName.Text)
	plotted := draw.Crop(plotArea, nameHeight+yName.Padding, 0, 0, 0)
	p.Draw(plotted)
	sty := yName.TextStyle
	sty.Rotation += math.Pi / 2 // read upwards, as plot draws it
	data := p.DataCanvas(plotted)
	full.FillText(sty, vg.Point{X: plotArea.Min.X + nameHeight - sty.FontExtents().Descent, Y: data.Center().Y}, yName.Text)

	canvas.Push()
	canvas.Translate(vg.Point{X: legendMark})
	box := vg.Rectangle{
		Min: vg.Point{X: plotArea.Max.X + em, Y: plotArea.Max.Y - titleHeight - height - em},
		Max: vg.Point{X: full.Max.X - chartMargin, Y: plotArea.Max.Y - titleHeight},
	}
	full.SetColor(color.White)
	full.Fill(box.Path())
	full.StrokeLines(draw.LineStyle{Color: legendBorder, Width: legendBorderWidth},
		[]vg.Point{box.Min, {X: box.Max.X, Y: box.Min.Y}, box.Max, {X: box.Min.X, Y: box.Max.Y}, box.Min})
	legend.Draw(draw.Crop(draw.Canvas{Canvas: canvas, Rectangle: box}, em/2, 0, 0, -em/2))
	canvas.Pop()

	var b bytes.Buffer
	if _, err := canvas.WriteTo(&b); err != nil {
		return nil, err
	}
	svg := b.Bytes()
	if i := bytes.Index(svg, []byte("<svg")); i > 0 {
		svg = svg[i:] // drop the XML declaration: the SVG goes inline in HTML
	}
	return nameParts(svg), nil
}

// legendSize measures a legend of the given names: its widest name, with
// fontSlack for the browser's fonts, and its height, as plot.Legend lays
// its entries out (each as tall as its tallest name, Padding apart).
func legendSize(l *plot.Legend, names []string) (width, height vg.Length) {
	var entry vg.Length
	for _, name := range names {
		r := l.TextStyle.Rectangle(name)
		width = max(width, r.Max.X)
		entry = max(entry, r.Max.Y)
	}
	n := vg.Length(len(names))
	return width * vg.Length(fontSlack), n*entry + (n-1)*l.Padding
}

// xAxisHeight is about the height that plot gives the x axis under the
// data (its name, tick labels and ticks), which the y axis's name must not
// run into.
func xAxisHeight(a *plot.Axis) vg.Length {
	return a.Label.TextStyle.Height(a.Label.Text) + a.Label.Padding +
		a.Tick.Label.Height("0") + a.Tick.Length + a.Width/2 + a.Padding
}

// fitFont shrinks sty's font until s, with fontSlack, is no longer than
// room: a long title ("time per operation (ns) — mix:inc cs:0 path:proc")
// must not run past the SVG's edge.
func fitFont(sty *text.Style, s string, room vg.Length) {
	width := sty.Rectangle(s).Size().X * vg.Length(fontSlack)
	if width > room {
		sty.Font.Size = sty.Font.Size * room / width
	}
}

// The SVG's parts are named after drawing, since gonum's SVG canvas writes
// no classes: the series and the legend are drawn in groups translated by
// lengths too small to see, whose opening tags are then replaced by named
// ones, and the tick labels in near-black colours of their own, whose
// <text> elements are then given a class.
const (
	linesMark  vg.Length = 1e-9
	legendMark vg.Length = 2e-9
)

var (
	tickXColor = color.RGBA{0x01, 0x01, 0x01, 0xFF}
	tickYColor = color.RGBA{0x02, 0x02, 0x02, 0xFF}

	partNames = strings.NewReplacer(
		markedTag(linesMark), `<g class="lines">`,
		markedTag(legendMark), `<g class="legend">`,
		// A browser without Liberation Sans falls back to its default
		// font, often a serif: name the metric-compatible and generic
		// sans-serif fonts after it.
		"font-family:Liberation Sans;", "font-family:'Liberation Sans',Arimo,Arial,Helvetica,sans-serif;",
	)
	tickXText = coloredText(tickXColor)
	tickYText = coloredText(tickYColor)
)

// markedTag is the opening tag of a group translated by mark, as vgsvg
// writes it (to five significant digits).
func markedTag(mark vg.Length) string {
	return fmt.Sprintf(`<g transform="translate(%.5g, 0)">`, mark.Points())
}

// coloredText matches the start of a <text> element filled with c, as
// vgsvg writes it ("fill:#010101"), up to the end of its style.
func coloredText(c color.RGBA) *regexp.Regexp {
	return regexp.MustCompile(`<text ([^>]*fill:` + strings.ToUpper(cssColor(c)) + `)`)
}

// nameParts names the parts of a chart's SVG, as Chart describes them.
func nameParts(svg []byte) []byte {
	svg = []byte(partNames.Replace(string(svg)))
	svg = tickXText.ReplaceAll(svg, []byte(`<text class="tick-x" $1`))
	return tickYText.ReplaceAll(svg, []byte(`<text class="tick-y" $1`))
}

// markedGroup draws its plotters inside one SVG group, translated by mark
// (see nameParts); it keeps their glyphs unclipped as the plot would.
type markedGroup struct {
	mark     vg.Length
	plotters []plot.Plotter
}

// Plot draws the plotters, in order, inside the marked group.
func (g markedGroup) Plot(c draw.Canvas, p *plot.Plot) {
	c.Push()
	c.Translate(vg.Point{X: g.mark})
	for _, d := range g.plotters {
		d.Plot(c, p)
	}
	c.Pop()
}

// GlyphBoxes gives the plot its plotters' glyphs (the markers), so that
// it pads the data area to keep them whole.
func (g markedGroup) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	var boxes []plot.GlyphBox
	for _, d := range g.plotters {
		if b, ok := d.(plot.GlyphBoxer); ok {
			boxes = append(boxes, b.GlyphBoxes(p)...)
		}
	}
	return boxes
}

// errorBars draws one series' confidence intervals: a vertical bar from
// the lower bound to the upper, capped at each end. A point whose
// interval is infinite (too few samples for the confidence level) has no
// bar; a bar that runs past the axis is cut at it, without its cap, so
// that the cut shows.
type errorBars struct {
	xs, lo, hi []float64
	style      draw.LineStyle
}

// add records the interval lo..hi at x, unless it is infinite or empty.
func (e *errorBars) add(x, lo, hi float64) {
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) || math.IsNaN(lo) || math.IsNaN(hi) || lo >= hi {
		return
	}
	e.xs, e.lo, e.hi = append(e.xs, x), append(e.lo, lo), append(e.hi, hi)
}

// Plot draws the bars, cut at the y axis's range.
func (e *errorBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i, x := range e.xs {
		lo, hi := max(e.lo[i], p.Y.Min), min(e.hi[i], p.Y.Max)
		if lo >= hi {
			continue
		}
		x, y0, y1 := trX(x), trY(lo), trY(hi)
		c.StrokeLine2(e.style, x, y0, x, y1)
		if lo == e.lo[i] {
			c.StrokeLine2(e.style, x-errorBarCap/2, y0, x+errorBarCap/2, y0)
		}
		if hi == e.hi[i] {
			c.StrokeLine2(e.style, x-errorBarCap/2, y1, x+errorBarCap/2, y1)
		}
	}
}

// errorBarReach is how far beyond the medians the y axis goes to show an
// error bar whole.
const errorBarReach = 2

// xPad widens the goroutine axis by this factor at each end, so that the
// first and last tick labels ("1", "16") sit inside the plot, clear of the
// axis's ends.
const xPad = 1.3

// maxXLabels is the most goroutine counts the x axis names.
const maxXLabels = 14

// goroutineTicks marks each measured goroutine count on the log x axis.
type goroutineTicks []float64

// Ticks marks each goroutine count within bottom..top and names those at
// least a fraction 1/maxXLabels of the axis from the last one named, and
// the greatest, so that counts close together (9, 10, 11...) do not run
// into one another; where there is none, it ticks as a log axis would.
func (g goroutineTicks) Ticks(bottom, top float64) []plot.Tick {
	var ticks []plot.Tick
	gap := math.Log(top/bottom) / maxXLabels
	named := math.Inf(-1)
	for _, x := range g {
		if x >= bottom && x <= top {
			tick := plot.Tick{Value: x}
			if math.Log(x)-named >= gap {
				tick.Label, named = tickLabel(x), math.Log(x)
			}
			ticks = append(ticks, tick)
		}
	}
	// The greatest count is always named, in place of a named one too
	// close before it (but the first).
	if n := len(ticks); n > 1 && ticks[n-1].Label == "" {
		for i := n - 2; i > 0; i-- {
			if ticks[i].Label != "" {
				if math.Log(ticks[n-1].Value/ticks[i].Value) < gap {
					ticks[i].Label = ""
				}
				break
			}
		}
		ticks[n-1].Label = tickLabel(ticks[n-1].Value)
	}
	if len(ticks) == 0 {
		return logTicks{}.Ticks(bottom, top)
	}
	return ticks
}

// The y axis's ticks. A unit whose values span a factor of logSpan or more
// (a FIFO lock's collapse under oversubscription) is drawn on a log axis,
// ticked at 1, 2 and 5 times the powers of ten, from the tick at or below
// the least value to the one at or above the greatest: at least three
// ticks. Any other is drawn on a linear axis ticked every 1, 2 or 5 times a
// power of ten, the smallest such step that gives at most maxTicks ticks
// (and so at least four), from a multiple of the step at or below the
// least value to one at or above the greatest. A linear axis starts at 0,
// so that heights compare as ratios, unless the least value is more than
// tightShare of the greatest: then it spans the values alone, so that
// locks whose fairness is 0.6 and 1.0 do not look alike.
const (
	logSpan    = 4
	maxTicks   = 8
	maxLabels  = 10 // on a log axis with more ticks, only the powers of ten are named
	tightShare = 0.5
	tickEps    = 1e-9 // relative: 0.1+0.2 is a tick at 0.3
)

// oneTwoFive are the mantissas of a log axis's ticks and a linear axis's
// steps.
var oneTwoFive = []float64{1, 2, 5}

// yRange chooses the y axis for values from lo to hi: its range, scale
// and ticks, by the rules above.
func yRange(lo, hi float64) (bottom, top float64, scale plot.Normalizer, ticks plot.Ticker) {
	if lo > 0 && hi >= logSpan*lo {
		bottom, top = logRange(lo, hi)
		return bottom, top, plot.LogScale{}, logTicks{}
	}
	bottom, top, step := linearRange(lo, hi)
	return bottom, top, plot.LinearScale{}, linearTicks{step}
}

// logRange widens lo..hi (both positive) outwards to the nearest 1, 2 or
// 5 times a power of ten.
func logRange(lo, hi float64) (bottom, top float64) {
	bottom, top = math.Inf(1), math.Inf(-1)
	for _, v := range oneTwoFiveIn(lo/10, hi*10) {
		if v <= lo*(1+tickEps) {
			bottom = v
		}
		if v >= hi*(1-tickEps) && math.IsInf(top, -1) {
			top = v
		}
	}
	return bottom, top
}

// oneTwoFiveIn returns 1, 2 and 5 times the powers of ten from bottom to top
// (both positive), in order.
func oneTwoFiveIn(bottom, top float64) []float64 {
	var out []float64
	for e := math.Floor(math.Log10(bottom)); e <= math.Ceil(math.Log10(top)); e++ {
		for _, m := range oneTwoFive {
			v := m * math.Pow(10, e)
			if v >= bottom*(1-tickEps) && v <= top*(1+tickEps) {
				out = append(out, v)
			}
		}
	}
	return out
}

// logTicks ticks a log axis at 1, 2 and 5 times the powers of ten, and
// names them all; where that would be more than maxLabels names, it names
// the powers of ten only (every second, or third..., where even they are
// more than maxLabels).
type logTicks struct{}

// Ticks returns the ticks from bottom to top, as logTicks says.
func (logTicks) Ticks(bottom, top float64) []plot.Tick {
	values := oneTwoFiveIn(bottom, top)
	var powers int
	for _, v := range values {
		if isPowerOfTen(v) {
			powers++
		}
	}
	every := max(1, (powers+maxLabels-1)/maxLabels)
	ticks := make([]plot.Tick, len(values))
	var nth int
	for i, v := range values {
		ticks[i].Value = v
		switch {
		case len(values) <= maxLabels:
			ticks[i].Label = tickLabel(v)
		case isPowerOfTen(v):
			if nth%every == 0 {
				ticks[i].Label = tickLabel(v)
			}
			nth++
		}
	}
	return ticks
}

// isPowerOfTen reports whether v is 10 to an integer power, to within
// tickEps: the log axis's ticks that are named when not all can be.
func isPowerOfTen(v float64) bool {
	e := math.Round(math.Log10(v))
	return math.Abs(v/math.Pow(10, e)-1) < tickEps
}

// linearRange widens lo..hi to a linear axis: from 0 unless lo is more
// than tightShare of hi, out to multiples of the chosen step.
func linearRange(lo, hi float64) (bottom, top, step float64) {
	if !(lo > 0 && lo > tightShare*hi) {
		lo, hi = math.Min(lo, 0), math.Max(hi, 0)
	}
	if lo == hi { // one value: its axis runs from 0 (or to 0) to it
		switch {
		case hi > 0:
			lo = 0
		case lo < 0:
			hi = 0
		default:
			hi = 1
		}
	}
	// From a step a hundredth of the span or less, up until the ticks are
	// few enough.
	base := math.Pow(10, math.Floor(math.Log10(hi-lo))-2)
	for e := 0.0; ; e++ {
		for _, m := range oneTwoFive {
			step = m * base * math.Pow(10, e)
			bottom = math.Floor(lo/step+tickEps) * step
			top = math.Ceil(hi/step-tickEps) * step
			if math.Round((top-bottom)/step)+1 <= maxTicks {
				return bottom, top, step
			}
		}
	}
}

// linearTicks ticks a linear axis at every multiple of step.
type linearTicks struct{ step float64 }

// Ticks returns every multiple of the step from bottom to top, named.
func (t linearTicks) Ticks(bottom, top float64) []plot.Tick {
	var ticks []plot.Tick
	for i := math.Ceil(bottom/t.step - tickEps); i <= math.Floor(top/t.step+tickEps); i++ {
		v := i * t.step
		ticks = append(ticks, plot.Tick{Value: v, Label: tickLabel(v)})
	}
	return ticks
}

// tickLabel writes a tick's value short: "0.5", "20", "500", "1k", "2.5M",
// "1G", to six significant digits (so that 0.1+0.2 reads 0.3).
func tickLabel(v float64) string {
	suffix := ""
	for _, s := range []struct {
		scale  float64
		suffix string
	}{{1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if math.Abs(v) >= s.scale*(1-tickEps) {
			v, suffix = v/s.scale, s.suffix
			break
		}
	}
	v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	if v == 0 {
		v = 0 // not "-0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64) + suffix
}
