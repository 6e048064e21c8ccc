package reports

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"

	"github.com/lockbench/lockbench/reports/units"
)

// chartOptions are ForLocks' with sec/op charted first and the baselines
// that cmd/lockbench adds, whatever ForLocks' own list is.
func chartOptions() Options {
	opts := ForLocks()
	opts.Charts = []string{"sec/op", "ops/s", "p99-sec", "p99-ns", "fairness", "contended", "spins/op"}
	opts.Baselines = []string{"atomic", "sharded", "xsync"}
	return opts
}

func buildCharts(t *testing.T, file string) (*Report, []Chart) {
	t.Helper()
	rep, err := Build([]string{file}, chartOptions())
	require.NoError(t, err)
	charts, err := Charts(rep)
	require.NoError(t, err)
	require.NotEmpty(t, charts)
	return rep, charts
}

// svgText is a <text> element of a chart.
type svgText struct {
	seq            int // the element's place in the document
	class, content string
	x, y, size     float64 // y as drawn: from the SVG's bottom
	group          string  // the class of the innermost named group, if any
	rotated        bool
}

// svgPath is a <path> element of a chart.
type svgPath struct {
	seq       int
	d, stroke string
	width     float64 // of the stroke, in points
	dashed    bool
	group     string
}

// parsedSVG is what the tests read of a chart's SVG.
type parsedSVG struct {
	width  float64 // points
	height float64
	groups map[string]int // named groups by class
	texts  []svgText
	paths  []svgPath
}

var (
	strokeStyle   = regexp.MustCompile(`stroke:(#[0-9A-Fa-f]{6})`)
	fontSizeStyle = regexp.MustCompile(`font-size:([0-9.]+)px`)
	widthStyle    = regexp.MustCompile(`stroke-width:([0-9.e+-]+)`)
)

// attr returns e's attribute name, or "".
func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// parseSVG reads a chart's SVG: its width and height, named groups, texts
// and paths, each text and path with the named group it is in.

func parseSVG(t *testing.T, svg []byte) parsedSVG {
	t.Helper()
	out := parsedSVG{groups: map[string]int{}}
	type group struct {
		class   string
		rotated bool
	}
	stack := []group{{}}
	d := xml.NewDecoder(bytes.NewReader(svg))
	var text *svgText
	var seq int
	for {
		seq++
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch e := tok.(type) {
		case xml.StartElement:
			top := stack[len(stack)-1]
			switch e.Name.Local {
			case "svg":
				w, err := strconv.ParseFloat(strings.TrimSuffix(attr(e, "width"), "pt"), 64)
				require.NoError(t, err)
				h, err := strconv.ParseFloat(strings.TrimSuffix(attr(e, "height"), "pt"), 64)
				require.NoError(t, err)
				out.width, out.height = w, h
			case "g":
				g := group{class: top.class, rotated: top.rotated}
				if c := attr(e, "class"); c != "" {
					g.class = c
					out.groups[c]++
				}
				if strings.HasPrefix(attr(e, "transform"), "rotate") {
					g.rotated = true
				}
				stack = append(stack, g)
			case "text":
				x, err := strconv.ParseFloat(attr(e, "x"), 64)
				require.NoError(t, err)
				y, err := strconv.ParseFloat(attr(e, "y"), 64)
				require.NoError(t, err)
				size := fontSizeStyle.FindStringSubmatch(attr(e, "style"))
				require.NotNil(t, size, "a text's font size")
				s, err := strconv.ParseFloat(size[1], 64)
				require.NoError(t, err)
				text = &svgText{seq: seq, class: attr(e, "class"), x: x, y: -y, size: s, group: top.class, rotated: top.rotated}
			case "path":
				p := svgPath{seq: seq, d: attr(e, "d"), group: top.class}
				style := attr(e, "style")
				if m := strokeStyle.FindStringSubmatch(style); m != nil {
					p.stroke = strings.ToLower(m[1])
				}
				p.width = 1 // vgsvg leaves SVG's default out
				if m := widthStyle.FindStringSubmatch(style); m != nil {
					p.width, err = strconv.ParseFloat(m[1], 64)
					require.NoError(t, err)
				}
				p.dashed = strings.Contains(style, "stroke-dasharray")
				out.paths = append(out.paths, p)
			}
		case xml.CharData:
			if text != nil {
				text.content += string(e)
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "g":
				stack = stack[:len(stack)-1]
			case "text":
				out.texts = append(out.texts, *text)
				text = nil
			}
		}
	}
	return out
}

func (s parsedSVG) textsOf(class string) []svgText {
	var out []svgText
	for _, t := range s.texts {
		if t.class == class {
			out = append(out, t)
		}
	}
	return out
}

// legend returns the legend's names, each with the colour of the last
// stroked swatch drawn before it (its line).
func (s parsedSVG) legend() (names, colors []string) {
	for _, t := range s.texts {
		if t.group != "legend" {
			continue
		}
		var color string
		for _, p := range s.paths {
			if p.group == "legend" && p.seq < t.seq && p.stroke != "" {
				color = p.stroke
			}
		}
		names, colors = append(names, t.content), append(colors, color)
	}
	return names, colors
}

// TestChartParts checks the contract with the page's scripts (Chart):
// one group of series, one legend with an entry per column, and tick
// labels named by axis, enough of them to read the axis.
func TestChartParts(t *testing.T) {
	for _, file := range []string{"testdata/locks.txt", "testdata/default-run.txt", "testdata/stats.txt"} {
		rep, charts := buildCharts(t, file)
		tables := map[string]*Table{}
		for _, tb := range rep.Tables {
			tables[chartTitle(tb)] = tb
		}
		for _, c := range charts {
			tb := tables[c.Title]
			require.NotNil(t, tb, "%s: a table for chart %q", file, c.Title)
			svg := parseSVG(t, c.SVG)
			assert.Equal(t, 1, svg.groups["lines"], "%s: one g.lines", c.Title)
			assert.Equal(t, 1, svg.groups["legend"], "%s: one g.legend", c.Title)
			assert.Len(t, svg.textsOf("tick-x"), len(tb.Rows), "%s: a tick at each goroutine count", c.Title)
			assert.GreaterOrEqual(t, len(svg.textsOf("tick-y")), 3, "%s: tick-y labels", c.Title)
			names, _ := svg.legend()
			assert.Equal(t, tb.Cols, names, "%s: a legend entry per series", c.Title)
			for _, tick := range svg.textsOf("tick-x") {
				assert.Equal(t, "", tick.group, "%s: tick %s outside the series and the legend", c.Title, tick.content)
			}
		}
	}
}

func chartTitle(t *Table) string {
	title := axisOf(t.Unit).label
	if t.Title != "" {
		title += " — " + t.Title
	}
	return title
}

// TestChartSeriesStyles checks that each lock keeps its palette colour in
// every chart, and that the baselines, and only they, are dashed.
func TestChartSeriesStyles(t *testing.T) {
	rep, charts := buildCharts(t, "testdata/default-run.txt")
	index := rep.seriesIndex()
	baselines := map[string]bool{"atomic": true, "sharded": true}
	for _, c := range charts {
		svg := parseSVG(t, c.SVG)
		names, colors := svg.legend()
		dashed := map[string]bool{}
		for _, p := range svg.paths {
			if p.group == "lines" && p.dashed {
				dashed[p.stroke] = true
			}
		}
		distinct := map[string]bool{}
		for i, name := range names {
			want := cssColor(seriesColor(index[name]))
			assert.Equal(t, want, colors[i], "%s: %s's colour", c.Title, name)
			assert.Equal(t, baselines[name], dashed[want], "%s: %s dashed", c.Title, name)
			distinct[colors[i]] = true
		}
		assert.Len(t, distinct, len(names), "%s: a colour per series", c.Title)
	}
}

func TestSeriesStyleIsUnique(t *testing.T) {
	seen := map[string]int{}
	for i := range len(palette) * len(glyphs) {
		_, g := seriesStyle(i, false)
		key := fmt.Sprintf("%v %T", g.Color, g.Shape)
		if j, ok := seen[key]; ok {
			t.Fatalf("series %d and %d share colour and marker %s", j, i, key)
		}
		seen[key] = i
	}
	line, _ := seriesStyle(0, true)
	assert.NotEmpty(t, line.Dashes, "a baseline is dashed")
}

// verticalBar matches an error bar's stroke: one segment, vertical where
// its ends' x are the same (a plus marker's is too, but thinner).
var verticalBar = regexp.MustCompile(`^M([0-9.e+-]+),([0-9.e+-]+)L([0-9.e+-]+),([0-9.e+-]+)$`)

func TestChartErrorBars(t *testing.T) {
	_, charts := buildCharts(t, "testdata/default-run.txt")
	for _, c := range charts {
		var bars int
		for _, p := range parseSVG(t, c.SVG).paths {
			if m := verticalBar.FindStringSubmatch(p.d); p.group == "lines" && m != nil && m[1] == m[3] && m[2] != m[4] && p.width == errorBarWidth.Points() {
				bars++
			}
		}
		assert.Greater(t, bars, 0, "%s: error bars", c.Title)
	}

	var e errorBars
	e.add(1, math.Inf(-1), math.Inf(1))
	e.add(2, 5, math.Inf(1))
	e.add(3, 5, 5)
	assert.Empty(t, e.xs, "no bar for an infinite or empty interval")
	e.add(4, 4, 6)
	assert.Equal(t, []float64{4}, e.xs)
}

var pathStart = regexp.MustCompile(`^M([0-9.e+-]+),`)

// TestChartTextFits checks that every text lies inside its SVG, and that
// the x axis's labels stop short of the legend: the last goroutine count
// read "1(" when its label ran past the edge.
func TestChartTextFits(t *testing.T) {
	for _, file := range []string{"testdata/locks.txt", "testdata/default-run.txt", "testdata/stats.txt"} {
		_, charts := buildCharts(t, file)
		for _, c := range charts {
			svg := parseSVG(t, c.SVG)
			legendLeft := svg.width // the legend box's left edge: its first path's first x
			for _, p := range svg.paths {
				if p.group == "legend" {
					m := pathStart.FindStringSubmatch(p.d)
					require.NotNil(t, m, "%s: the legend's box %q", c.Title, p.d)
					x, err := strconv.ParseFloat(m[1], 64)
					require.NoError(t, err)
					legendLeft = x
					break
				}
			}
			require.Less(t, legendLeft, svg.width, "%s: a legend box", c.Title)
			for _, tx := range svg.texts {
				if tx.rotated {
					continue // the y axis's name, measured by TestFitFont
				}
				face := font.DefaultCache.Lookup(sansFont, vg.Length(tx.size))
				width := face.Width(tx.content).Points() * fontSlack
				assert.GreaterOrEqual(t, tx.x, 0.0, "%s: %q", c.Title, tx.content)
				assert.LessOrEqual(t, tx.x+width, svg.width, "%s: %q", c.Title, tx.content)
				extents := face.Extents()
				assert.GreaterOrEqual(t, tx.y-extents.Descent.Points(), 0.0, "%s: %q", c.Title, tx.content)
				assert.LessOrEqual(t, tx.y+extents.Ascent.Points(), svg.height, "%s: %q", c.Title, tx.content)
				if tx.class == "tick-x" {
					assert.Less(t, tx.x+width, legendLeft, "%s: tick %q inside the plot, clear of the legend", c.Title, tx.content)
				}
			}
		}
	}
}

func TestFitFont(t *testing.T) {
	p := plot.New()
	sty := p.Title.TextStyle
	sty.Font = font.From(sansFont, titleFontSize)
	long := "time per operation (ns) — mix:inc cs:0 path:proc think:100ns stats:on wait:park"
	room := vg.Points(300)
	fitFont(&sty, long, room)
	assert.Less(t, float64(sty.Font.Size), float64(titleFontSize))
	assert.LessOrEqual(t, float64(sty.Rectangle(long).Size().X)*fontSlack, float64(room)*(1+1e-9))
	short := p.Title.TextStyle
	short.Font = font.From(sansFont, titleFontSize)
	fitFont(&short, "fairness", room)
	assert.Equal(t, vg.Length(titleFontSize), short.Font.Size, "a short text keeps its size")
}

func TestAxisOf(t *testing.T) {
	for unit, want := range map[string]yAxis{
		"sec/op":   {units.Label("sec/op") + " (ns)", 1e9},
		"p99-sec":  {units.Label("p99-sec") + " (ns)", 1e9},
		"p99-ns":   {units.Label("p99-ns") + " (ns)", 1},
		"wait-ns":  {units.Label("wait-ns") + " (ns)", 1},
		"ops/s":    {"throughput (ops/s)", 1},
		"fairness": {"fairness (Jain's index)", 1},
	} {
		assert.Equal(t, want, axisOf(unit), unit)
	}
	assert.Equal(t, "time per operation (ns)", axisOf("sec/op").label)
}

func labels(ticks []plot.Tick) []string {
	var out []string
	for _, t := range ticks {
		if !t.IsMinor() {
			out = append(out, t.Label)
		}
	}
	return out
}

func TestYRange(t *testing.T) {
	for _, c := range []struct {
		lo, hi   float64
		log      bool
		min, max float64
		labels   []string
	}{
		{12, 130, true, 10, 200, []string{"10", "20", "50", "100", "200"}},
		{1.2e6, 9e6, true, 1e6, 1e7, []string{"1M", "2M", "5M", "10M"}},
		{1, 4, true, 1, 5, []string{"1", "2", "5"}},
		{0.05, 0.9, true, 0.05, 1, []string{"0.05", "0.1", "0.2", "0.5", "1"}},
		{1000, 2e7, true, 1000, 2e7, []string{"1k", "10k", "100k", "1M", "10M"}}, // powers only: 15 ticks
		{0.6, 1, false, 0.6, 1, []string{"0.6", "0.7", "0.8", "0.9", "1"}},       // tight: fairness
		{0.996, 1, false, 0.996, 1, []string{"0.996", "0.997", "0.998", "0.999", "1"}},
		{0.3, 1, false, 0, 1, []string{"0", "0.2", "0.4", "0.6", "0.8", "1"}}, // from 0
		{0, 0.08, false, 0, 0.08, []string{"0", "0.02", "0.04", "0.06", "0.08"}},
		{3e7, 5e7, false, 3e7, 5e7, []string{"30M", "35M", "40M", "45M", "50M"}},
		{0, 4.7, false, 0, 5, []string{"0", "1", "2", "3", "4", "5"}},
		{1, 1, false, 0, 1, []string{"0", "0.2", "0.4", "0.6", "0.8", "1"}},
		{0, 0, false, 0, 1, []string{"0", "0.2", "0.4", "0.6", "0.8", "1"}},
	} {
		min, max, scale, ticker := yRange(c.lo, c.hi)
		_, isLog := scale.(plot.LogScale)
		assert.Equal(t, c.log, isLog, "%g..%g log", c.lo, c.hi)
		assert.InEpsilon(t, c.max, max, 1e-9, "%g..%g max", c.lo, c.hi)
		if c.min == 0 {
			assert.Zero(t, min, "%g..%g min", c.lo, c.hi)
		} else {
			assert.InEpsilon(t, c.min, min, 1e-9, "%g..%g min", c.lo, c.hi)
		}
		assert.Equal(t, c.labels, labels(ticker.Ticks(min, max)), "%g..%g", c.lo, c.hi)
	}
}

// TestYRangeAlwaysReadable draws ranges of every magnitude: the axis holds
// the values, and names at least three ticks, never the same twice.
func TestYRangeAlwaysReadable(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		lo := math.Pow(10, r.Float64()*20-10)
		hi := lo * math.Pow(10, r.Float64()*r.Float64()*12)
		if r.IntN(10) == 0 {
			lo = 0
		}
		min, max, _, ticker := yRange(lo, hi)
		require.LessOrEqual(t, min, lo*(1+1e-9), "%g..%g", lo, hi)
		require.GreaterOrEqual(t, max, hi*(1-1e-9), "%g..%g", lo, hi)
		names := labels(ticker.Ticks(min, max))
		require.GreaterOrEqual(t, len(names), 3, "%g..%g: %v", lo, hi, names)
		seen := map[string]bool{}
		for _, n := range names {
			require.False(t, seen[n], "%g..%g: %q twice in %v", lo, hi, n, names)
			seen[n] = true
		}
	}
}

func TestTickLabel(t *testing.T) {
	for v, want := range map[float64]string{
		0: "0", 1: "1", 2: "2", 5: "5", 10: "10", 500: "500", 1000: "1k", 2000: "2k",
		1e4: "10k", 5e5: "500k", 1e6: "1M", 2.5e6: "2.5M", 1e7: "10M", 1e9: "1G",
		0.1: "0.1", 0.2: "0.2", 0.5: "0.5", 0.1 + 0.2: "0.3", 0.05: "0.05", 16: "16",
		math.Copysign(0, -1): "0",
	} {
		assert.Equal(t, want, tickLabel(v), "%g", v)
	}
}

func TestGoroutineTicksAndPadding(t *testing.T) {
	xs := []float64{1, 2, 16}
	ticks := goroutineTicks(xs).Ticks(1/xPad, 16*xPad)
	assert.Equal(t, []string{"1", "2", "16"}, labels(ticks))
}

// TestCrowdedGoroutineCountsAreNotAllNamed: a run at g=1..16, 20...128
// labelled every count, and 9 to 16 ran into "91011121314156".
func TestCrowdedGoroutineCountsAreNotAllNamed(t *testing.T) {
	var gs []float64
	for g := 1; g <= 16; g++ {
		gs = append(gs, float64(g))
	}
	gs = append(gs, 20, 24, 32, 48, 64, 96, 128)
	ticks := goroutineTicks(gs).Ticks(1/xPad, 128*xPad)
	require.Len(t, ticks, len(gs), "every count is marked")
	var named []float64
	for _, tk := range ticks {
		if tk.Label != "" {
			named = append(named, tk.Value)
		}
	}
	assert.LessOrEqual(t, len(named), maxXLabels)
	assert.Equal(t, []float64{1, 128}, []float64{named[0], named[len(named)-1]}, "the ends are named: %v", named)
	for i := 1; i < len(named); i++ {
		assert.GreaterOrEqual(t, math.Log(named[i]/named[i-1]), math.Log(128*xPad*xPad)/maxXLabels-1e-9, "%v", named)
	}
}
