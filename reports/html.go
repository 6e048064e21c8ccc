package reports

import (
	"html/template"
	"io"
	"strings"
	"time"
)

// WriteHTML writes a self-contained HTML page: the machine description, the
// charts, every table of rep, and the input warnings. It loads nothing from
// the network: styles are inline and the charts are inline SVG.
//
// The page records, in its body's data-charts attribute, the rendered size
// and number of drawn paths of every chart, so that a headless browser can
// check that the charts have drawn (lockbench's CI does).
func (r *Report) WriteHTML(w io.Writer, title string, charts []Chart) error {
	svgs := make([]htmlChart, len(charts))
	for i, c := range charts {
		svgs[i] = htmlChart{Title: c.Title, SVG: template.HTML(c.SVG)} // gonum's own SVG output
	}
	return pageTemplate.Execute(w, struct {
		Title     string
		Generated string
		Report    *Report
		Charts    []htmlChart
		Why       []WhySection
	}{title, time.Now().UTC().Format(time.RFC3339), r, svgs, r.Why()})
}

type htmlChart struct {
	Title string
	SVG   template.HTML
}

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"sup":  superscripts,
	"note": func(i int) string { return superscript(i + 1) },
	"isWarning": func(s string) bool {
		return strings.HasPrefix(s, "warning") || strings.HasPrefix(s, "not converged")
	},
	"isItem": func(s string) bool { return strings.HasPrefix(s, "  ") },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { padding: 0.2em 0.6em; border-bottom: 1px solid #ddd; text-align: right; white-space: nowrap; }
th { background: #f4f4f4; } td.label, th.label { text-align: left; }
td.same { color: #888; } td.better { color: #1a7f37; } td.worse { color: #b42318; }
.notes { font-size: 0.9em; color: #555; }
figure.chart { display: inline-block; margin: 0.5em; }
figure.chart svg { width: 630px; height: 360px; }
.warn { color: #b42318; }
ul.trust li.item { margin-left: 2em; list-style: circle; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>Generated {{.Generated}} from {{range $i, $f := .Report.Files}}{{if $i}}, {{end}}<code>{{$f}}</code>{{end}}.</p>
{{with .Report.Config}}<h2>Machine</h2>
<table>{{range .}}<tr><th class="label">{{.Key}}</th><td class="label">{{.Value}}</td></tr>{{end}}</table>{{end}}
{{with .Report.Summary}}<h2>How far to trust these figures</h2>
<ul class="trust">{{range .}}<li class="{{if isWarning .}}warn{{end}}{{if isItem .}} item{{end}}">{{.}}</li>{{end}}</ul>{{end}}
{{with .Charts}}<h2>Charts</h2>
{{range .}}<figure class="chart" title="{{.Title}}">{{.SVG}}</figure>
{{end}}{{end}}
{{with .Why}}<h2>Why: lock statistics</h2>
<p class="notes">From each lock's statistics (lockbench run -stats), as the kernel's lock_stat keeps them: the share of acquisitions that waited, and per operation the waiters' spins (failed checks of the lock word), yields, parks (sleeps), and the releases that handed the lock to a chosen waiter; the mean wait of a contended acquisition (sampled).</p>
{{range .}}{{$w := .}}<h3>{{.Workload}}</h3>
<ul>{{range .Sentences}}<li>{{.}}</li>{{end}}</ul>
<table>
<tr><th class="label">lock</th>{{range .Goroutines}}<th class="label">g={{.}}</th>{{end}}</tr>
{{range $i, $l := .Locks}}<tr><td class="label">{{$l}}</td>{{range index $w.Cells $i}}<td class="label">{{.}}</td>{{end}}</tr>
{{end}}</table>
{{end}}{{end}}
<h2>Tables</h2>
<p class="notes">Medians with 95% confidence intervals; each column is compared with the first (the baseline) by a Mann-Whitney U test, and "~" means the difference is not significant.</p>
{{range .Report.Tables}}{{$t := .}}
<h3>{{.Unit}}{{with .Title}} — {{.}}{{end}}</h3>
<table>
<tr><th class="label">{{.RowBy}}</th>{{range $j, $c := .Cols}}<th>{{$c}}</th>{{if $j}}<th>vs {{index $t.Cols 0}}</th>{{end}}{{end}}{{if .Best}}<th class="label">best ({{.Better}} is better)</th>{{end}}</tr>
{{range $i, $row := .Cells}}<tr><td class="label">{{index $t.Rows $i}}</td>{{range $j, $c := $row}}{{if $c}}<td>{{$c.Value}} {{$c.Range}}{{with $c.Notes}} <sup>{{sup .}}</sup>{{end}}</td>{{if $j}}<td class="{{if not $c.Significant}}same{{end}}">{{$c.Delta}} {{with $c.Test}}({{.}}){{end}}</td>{{end}}{{else}}<td></td>{{if $j}}<td></td>{{end}}{{end}}{{end}}{{if $t.Best}}<td class="label">{{index $t.Best $i}}</td>{{end}}</tr>
{{end}}{{with .Geomean}}<tr><td class="label">geomean</td>{{range $j, $g := .}}<td>{{$g.Value}}{{with $g.Notes}} <sup>{{sup .}}</sup>{{end}}</td>{{if $j}}<td>{{$g.Delta}}</td>{{end}}{{end}}{{if $t.Best}}<td></td>{{end}}</tr>{{end}}
</table>
{{with .Notes}}<div class="notes">{{range $i, $n := .}}<div><sup>{{note $i}}</sup> {{$n}}</div>{{end}}</div>{{end}}
{{end}}
{{with .Report.Warnings}}<h2>Warnings</h2><ul class="warn">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
<script>
// Record each chart's rendered size and drawn paths, for headless checks.
document.body.dataset.charts = Array.from(document.querySelectorAll("figure.chart svg")).map(function (s) {
  var r = s.getBoundingClientRect();
  return Math.round(r.width) + "x" + Math.round(r.height) + ":" + s.querySelectorAll("path").length;
}).join(" ");
</script>
</body>
</html>
`))
