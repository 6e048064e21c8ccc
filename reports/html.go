package reports

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

// WriteHTML writes a self-contained HTML page that answers at a glance:
// first the winner map (the best lock of each workload at each goroutine
// count, coloured by lock, ties and doubtful cells marked), then how far to
// trust the figures, the charts, the lock statistics' explanations, each
// unit's table turned (locks down, goroutine counts across), benchstat's
// full tables folded away, the machine, and the input warnings. It loads
// nothing from the network: styles are inline and the charts are inline
// SVG. A lock has one colour everywhere on the page (palette).
func (r *Report) WriteHTML(w io.Writer, title string, charts []Chart) error {
	svgs := make([]htmlChart, len(charts))
	for i, c := range charts {
		svgs[i] = htmlChart{Title: c.Title, SVG: template.HTML(c.SVG)} // gonum's own SVG output
	}
	var compact []*CompactTable
	for _, t := range r.Tables {
		if numericRows(t.Rows) {
			compact = append(compact, t.Compact(r.baselines))
		}
	}
	index := r.seriesIndex()
	colors := make(map[string]string, len(index))
	for lock, i := range index {
		colors[lock] = cssColor(seriesColor(i))
	}
	return pageTemplate.Execute(w, htmlPage{
		Title:     title,
		Generated: time.Now().UTC().Format(time.RFC3339),
		Report:    r,
		Winners:   r.Winners(),
		Charts:    svgs,
		Why:       r.Why(),
		Compact:   compact,
		colors:    colors,
	})
}

type htmlChart struct {
	Title string
	SVG   template.HTML
}

type htmlPage struct {
	Title     string
	Generated string
	Report    *Report
	Winners   *WinnerMap
	Charts    []htmlChart
	Why       []WhySection
	Compact   []*CompactTable
	colors    map[string]string
}

// shownTieNames is how many names of a tie a winner cell shows; the rest
// are counted, and named in the count's tooltip.
const shownTieNames = 3

// Shown is the locks a winner cell names.
func (p htmlPage) Shown(w *Winner) []string { return w.Locks[:min(len(w.Locks), shownTieNames)] }

// Hidden is the locks a winner cell only counts, as a list; "" if none.
func (p htmlPage) Hidden(w *Winner) string {
	if len(w.Locks) <= shownTieNames {
		return ""
	}
	return strings.Join(w.Locks[shownTieNames:], TieSeparator)
}

// trustGroup is a heading of Report.Summary and its list.
type trustGroup struct {
	Heading string
	Warn    bool // disturbed or not converged cells
	Items   []string
}

// Trust is Report.Summary grouped, each list under its heading, so that
// the page can fold the lists away.
func (p htmlPage) Trust() []trustGroup {
	var out []trustGroup
	for _, line := range p.Report.Summary() {
		if item, ok := strings.CutPrefix(line, "  "); ok && len(out) > 0 {
			out[len(out)-1].Items = append(out[len(out)-1].Items, item)
			continue
		}
		out = append(out, trustGroup{Heading: line,
			Warn: strings.HasPrefix(line, "warning") || strings.HasPrefix(line, "not converged")})
	}
	return out
}

// Color is a lock's colour, as CSS writes it.
func (p htmlPage) Color(lock string) string { return p.colors[lock] }

// Fill is a winner cell's background: the winner's colour, faint, or for a
// tie, bands of the colours of the locks it names.
func (p htmlPage) Fill(w *Winner) template.CSS {
	if w == nil || len(w.Locks) == 0 {
		return ""
	}
	tint := func(lock string) string { return p.colors[lock] + "33" } // 20% opacity
	if len(w.Locks) == 1 {
		return template.CSS("background:" + tint(w.Locks[0]))
	}
	var stops []string
	shown := p.Shown(w)
	for i, lock := range shown {
		from, to := 100*i/len(shown), 100*(i+1)/len(shown)
		stops = append(stops, fmt.Sprintf("%s %d%% %d%%", tint(lock), from, to))
	}
	return template.CSS("background:linear-gradient(90deg," + strings.Join(stops, ",") + ")")
}

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"sup":       superscripts,
	"note":      func(i int) string { return superscript(i + 1) },
	"more":      func(n int) int { return n - shownTieNames },
	"fewTrials": func() string { return fewTrialsNote },
	"pct":       pct,
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em 2em; color: #222; }
h1 { font-size: 1.5em; margin: 0 0 0.2em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
p.sub { margin: 0 0 1em; color: #555; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { padding: 0.2em 0.6em; border-bottom: 1px solid #ddd; text-align: right; white-space: nowrap; }
th { background: #f4f4f4; } td.label, th.label { text-align: left; }
td.same { color: #888; } td.better { color: #1a7f37; } td.worse { color: #b42318; }
td.best { font-weight: 600; color: #1a7f37; } td.baseline { color: #666; font-style: italic; }
.notes { font-size: 0.9em; color: #555; }
.scroll { overflow-x: auto; max-width: 100%; }
.scroll th:first-child, .scroll td:first-child { position: sticky; left: 0; z-index: 1; background: #fff; }
.scroll th:first-child { background: #f4f4f4; }
table.winners td.winner { text-align: left; font-weight: 600; min-width: 8em; padding: 0.4em 0.8em; vertical-align: top; }
table.winners div.more { font-weight: normal; color: #555; }
table.winners td.none { color: #888; font-weight: normal; }
span.swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px; margin-right: 0.3em; vertical-align: -0.05em; }
span.marks { color: #b42318; margin-left: 0.2em; }
figure.chart { display: inline-block; width: 640px; max-width: 100%; margin: 0.5em; vertical-align: top; }
figure.chart svg { width: 100%; height: auto; display: block; }
.warn { color: #b42318; }
ul.trust details summary { font-weight: normal; margin: 0.2em 0; color: #555; }
details summary { cursor: pointer; font-weight: 600; margin: 1em 0; }
</style>
</head>
<body>{{$p := .}}
<h1>{{.Title}}</h1>
<p class="sub">Generated {{.Generated}} from {{range $i, $f := .Report.Files}}{{if $i}}, {{end}}<code>{{$f}}</code>{{end}}{{with .Report.Config}}; machine below{{end}}.</p>
{{with .Winners}}<h2>Which lock, at which contention</h2>
<p class="notes">The best lock by {{.Unit}} (time per operation) of each workload at each goroutine count; baselines, which are not locks, are never named. A cell of two or more names is a tie: no significant difference{{with $p.Report.Precision}}, or less than ±{{pct .}}{{end}}. {{with .MarkLegend}}{{.}}.{{end}}{{if .FewTrials}} <span class="warn">{{fewTrials}}.</span>{{end}}</p>
<div class="scroll"><table class="winners">
<tr><th class="label">workload</th>{{range .Columns}}<th class="label">{{$.Winners.RowBy}}={{.}}</th>{{end}}</tr>
{{range .Rows}}{{$row := .}}<tr><td class="label">{{.Workload}}</td>{{range $j, $w := .Cells}}{{if $w}}<td class="winner{{if not $w.Locks}} none{{end}}" style="{{$p.Fill $w}}" data-workload="{{$row.Workload}}" data-g="{{index $.Winners.Columns $j}}"{{if $w.Tie}} data-tie="true"{{end}}>{{range $k, $l := $p.Shown $w}}<div><span class="swatch" style="background:{{$p.Color $l}}"></span>{{if $k}}≈ {{end}}{{$l}}</div>{{else}}baselines only{{end}}{{with $p.Hidden $w}}<div class="more" title="{{.}}">≈ {{len $w.Locks | more}} more</div>{{end}}{{with $w.Marks}}<span class="marks">{{.}}</span>{{end}}</td>{{else}}<td></td>{{end}}{{end}}</tr>
{{end}}</table></div>{{end}}
{{with .Trust}}<h2>How far to trust these figures</h2>
<ul class="trust">{{range .}}<li{{if .Warn}} class="warn"{{end}}>{{.Heading}}{{with .Items}}<details><summary>{{len .}} cells</summary><ul>{{range .}}<li>{{.}}</li>{{end}}</ul></details>{{end}}</li>{{end}}</ul>{{end}}
{{with .Charts}}<h2>Charts</h2>
<p class="notes">Medians with their 95% intervals as error bars; dashed lines are baselines (not locks).</p>
{{range .}}<figure class="chart" title="{{.Title}}">{{.SVG}}</figure>
{{end}}{{end}}
{{with .Why}}<h2>Why: lock statistics</h2>
<p class="notes">From each lock's statistics (lockbench run -stats), as the kernel's lock_stat keeps them: the share of acquisitions that waited, and per operation the waiters' spins (failed checks of the lock word), yields, parks (sleeps), and the releases that handed the lock to a chosen waiter; the mean wait of a contended acquisition (sampled).</p>
{{range .}}{{$w := .}}<h3>{{.Workload}}</h3>
<ul>{{range .Sentences}}<li>{{.}}</li>{{end}}</ul>
<div class="scroll"><table>
<tr><th class="label">lock</th>{{range .Goroutines}}<th class="label">g={{.}}</th>{{end}}</tr>
{{range $i, $l := .Locks}}<tr><td class="label">{{$l}}</td>{{range index $w.Cells $i}}<td class="label">{{.}}</td>{{end}}</tr>
{{end}}</table></div>
{{end}}{{end}}
{{with .Compact}}<h2>Tables</h2>
<p class="notes">Each figure: the median ± its 95% interval; then how it compares with the best lock at that goroutine count (best, ≈ tied with it, or how many times worse). Baselines in italics.</p>
{{range .}}<h3>{{.Title}}</h3>
<div class="scroll"><table class="compact">
<tr><th class="label">lock</th>{{range .Columns}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}{{$r := .}}<tr><td class="label{{if .Baseline}} baseline{{end}}"><span class="swatch" style="background:{{$p.Color .Name}}"></span>{{.Name}}</td>{{range .Cells}}{{if .}}<td class="{{if .Best}}best{{end}}{{if $r.Baseline}} baseline{{end}}">{{.Value}} {{.Range}}{{with .Marks}}<span class="marks">{{.}}</span>{{end}}{{with .Ratio}} · {{.}}{{end}}</td>{{else}}<td></td>{{end}}{{end}}</tr>
{{end}}</table></div>
{{end}}{{end}}
<details{{if not .Compact}} open{{end}}><summary>benchstat's tables: every column against the first</summary>
<p class="notes">Medians with 95% confidence intervals; each column is compared with the first (the baseline) by a Mann-Whitney U test, and "~" means the difference is not significant.</p>
{{range .Report.Tables}}{{$t := .}}
<h3>{{.Unit}}{{with .Title}} — {{.}}{{end}}</h3>
<div class="scroll"><table>
<tr><th class="label">{{.RowBy}}</th>{{range $j, $c := .Cols}}<th>{{$c}}</th>{{if $j}}<th>vs {{index $t.Cols 0}}</th>{{end}}{{end}}{{if .Best}}<th class="label">best ({{.Better}} is better)</th>{{end}}</tr>
{{range $i, $row := .Cells}}<tr><td class="label">{{index $t.Rows $i}}</td>{{range $j, $c := $row}}{{if $c}}<td>{{$c.Value}} {{$c.Range}}{{with $c.Notes}} <sup>{{sup .}}</sup>{{end}}</td>{{if $j}}<td class="{{if not $c.Significant}}same{{end}}">{{$c.Delta}} {{with $c.Test}}({{.}}){{end}}</td>{{end}}{{else}}<td></td>{{if $j}}<td></td>{{end}}{{end}}{{end}}{{if $t.Best}}<td class="label">{{index $t.Best $i}}</td>{{end}}</tr>
{{end}}{{with .Geomean}}<tr><td class="label">geomean</td>{{range $j, $g := .}}<td>{{$g.Value}}{{with $g.Notes}} <sup>{{sup .}}</sup>{{end}}</td>{{if $j}}<td>{{$g.Delta}}</td>{{end}}{{end}}{{if $t.Best}}<td></td>{{end}}</tr>{{end}}
</table></div>
{{with .Notes}}<div class="notes">{{range $i, $n := .}}<div><sup>{{note $i}}</sup> {{$n}}</div>{{end}}</div>{{end}}
{{end}}
</details>
{{with .Report.Config}}<h2>Machine</h2>
<table>{{range .}}<tr><th class="label">{{.Key}}</th><td class="label">{{.Value}}</td></tr>{{end}}</table>{{end}}
{{with .Report.Warnings}}<h2>Warnings</h2><ul class="warn">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
</body>
</html>
`))
