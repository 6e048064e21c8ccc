package main

import (
	"context"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// findChromium returns the path of a Chromium binary, or "".
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// layoutCheck runs in the rendered report (the test adds it to a copy of
// the page) and records what a person would see wrong, in the body's
// data-layout attribute: for every chart, its size, drawn paths, tick
// labels per axis, plotted elements the legend covers and text the SVG
// clips; and the winner map's cells.
const layoutCheck = `<script>
(function () {
  function overlap(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }
  var charts = Array.from(document.querySelectorAll("figure.chart svg")).map(function (svg) {
    var box = svg.getBoundingClientRect();
    var legend = svg.querySelector("g.legend");
    var lb = legend ? legend.getBoundingClientRect() : null;
    var covered = 0;
    if (lb) {
      svg.querySelectorAll("g.lines path").forEach(function (p) {
        var r = p.getBoundingClientRect();
        if (r.width + r.height > 0 && overlap(r, lb)) covered++;
      });
    }
    // Tick labels that run into one another, and legend names beyond the
    // legend's box (its largest path).
    var ticks = Array.from(svg.querySelectorAll("text.tick-x, text.tick-y")).map(function (t) { return t.getBoundingClientRect(); });
    var crowded = 0;
    for (var i = 0; i < ticks.length; i++) for (var j = i + 1; j < ticks.length; j++) if (overlap(ticks[i], ticks[j])) crowded++;
    var overflow = [];
    if (legend) {
      var frame = null;
      legend.querySelectorAll("path").forEach(function (p) {
        var r = p.getBoundingClientRect();
        if (!frame || r.width * r.height > frame.width * frame.height) frame = r;
      });
      legend.querySelectorAll("text").forEach(function (t) {
        var r = t.getBoundingClientRect();
        if (frame && (r.left < frame.left - 0.5 || r.right > frame.right + 0.5)) overflow.push(t.textContent);
      });
    }
    var clipped = [];
    svg.querySelectorAll("text").forEach(function (t) {
      var r = t.getBoundingClientRect();
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) {
        clipped.push(t.textContent);
      }
    });
    return {
      title: svg.parentElement.getAttribute("title"),
      width: Math.round(box.width), height: Math.round(box.height),
      paths: svg.querySelectorAll("path").length,
      lines: svg.querySelectorAll("g.lines").length,
      legends: svg.querySelectorAll("g.legend").length,
      xTicks: svg.querySelectorAll("text.tick-x").length,
      yTicks: svg.querySelectorAll("text.tick-y").length,
      covered: covered, clipped: clipped, crowded: crowded, overflow: overflow
    };
  });
  var map = document.querySelector("table.winners");
  var first = map ? map.getBoundingClientRect() : null;
  document.body.dataset.layout = JSON.stringify({
    charts: charts,
    winnerCells: document.querySelectorAll("table.winners td.winner").length,
    winnerBottom: first ? Math.round(first.bottom + window.scrollY) : -1,
    firstHeading: (document.querySelector("h2") || {}).textContent
  });
})();
</script>
</body>`

type chartLayout struct {
	Title          string
	Width, Height  int
	Paths          int
	Lines, Legends int
	XTicks, YTicks int
	Covered        int
	Clipped        []string
	Crowded        int      // tick labels overlapping one another
	Overflow       []string // legend names beyond the legend's box
}

type pageLayout struct {
	Charts       []chartLayout
	WinnerCells  int
	WinnerBottom int
	FirstHeading string
}

// TestReportRendersInChromium renders a run's report.html in headless
// Chromium and checks, from the DOM, what the first user found wrong:
// legends covering lines, axes with one tick label, clipped labels, and an
// answer that took scrolling. The screenshots (report.png at 1400×900, the
// first screen; report-full.png, the whole page) stay in the output
// folder; CI sets LOCKBENCH_ARTIFACTS to keep that folder as an artifact.
func TestReportRendersInChromium(t *testing.T) {
	chromium := findChromium()
	if chromium == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI must install Chromium (Debian package chromium) for this check")
		}
		t.Skip("no Chromium on this machine")
	}
	dir := t.TempDir()
	if artifacts := os.Getenv("LOCKBENCH_ARTIFACTS"); artifacts != "" {
		dir = filepath.Join(artifacts, "lockbench-results")
	}
	// Six trials a cell: enough for intervals, so that error bars are drawn.
	code, _, errOut := lockbench("run", "-locks", "mutex,ticket,tas,mcs,atomic", "-g", "1,2,4", "-mix", "inc,incdec",
		"-duration", "10ms", "-warmup", "2ms", "-count", "6", "-precision", "0", "-o", dir)
	require.Equal(t, 0, code, errOut)
	report, err := filepath.Abs(filepath.Join(dir, "report.html"))
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	browser := func(page string, extra ...string) []byte {
		args := append([]string{
			"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir=" + t.TempDir(),
		}, extra...)
		out, err := exec.CommandContext(ctx, chromium, append(args, "file://"+page)...).Output()
		require.NoError(t, err, "chromium %v", extra)
		return out
	}
	for _, shot := range []struct{ name, size string }{{"report.png", "1400,900"}, {"report-full.png", "1400,6000"}} {
		path := filepath.Join(dir, shot.name)
		browser(report, "--window-size="+shot.size, "--screenshot="+path)
		png, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(string(png), "\x89PNG"), "a PNG screenshot")
	}

	// The checks run in a copy of the page, so that the report itself
	// carries no test code.
	page, err := os.ReadFile(report)
	require.NoError(t, err)
	checked := filepath.Join(t.TempDir(), "report-checked.html")
	require.NoError(t, os.WriteFile(checked, []byte(strings.Replace(string(page), "</body>", layoutCheck, 1)), 0o644))
	dom := string(browser(checked, "--window-size=1400,900", "--dump-dom"))
	m := regexp.MustCompile(`data-layout="([^"]*)"`).FindStringSubmatch(dom)
	require.NotNil(t, m, "the check did not run")
	var layout pageLayout
	require.NoError(t, json.Unmarshal([]byte(html.UnescapeString(m[1])), &layout))

	assert.Equal(t, "Which lock, at which contention", layout.FirstHeading, "the page opens with the winner map")
	assert.Equal(t, 2*3, layout.WinnerCells, "one winner cell per configuration: 2 mixes x 3 goroutine counts")
	assert.Less(t, layout.WinnerBottom, 900, "the winner map is on the first screen at 1400x900")
	// Per mix: time per operation, throughput, p99 latency and fairness.
	assert.Len(t, layout.Charts, 2*4)
	for _, c := range layout.Charts {
		assert.Positive(t, c.Width, c.Title)
		assert.Positive(t, c.Height, c.Title)
		assert.Greater(t, c.Paths, 5, "lines, points and axes drawn: %s", c.Title)
		assert.Equal(t, 1, c.Lines, "%s: one group of plotted series", c.Title)
		assert.Equal(t, 1, c.Legends, "%s: one legend", c.Title)
		assert.Zero(t, c.Covered, "%s: the legend covers no plotted line", c.Title)
		assert.GreaterOrEqual(t, c.XTicks, 3, "%s: x tick labels", c.Title)
		assert.GreaterOrEqual(t, c.YTicks, 3, "%s: y tick labels", c.Title)
		assert.Empty(t, c.Clipped, "%s: text clipped by the SVG", c.Title)
		assert.Zero(t, c.Crowded, "%s: tick labels running into one another", c.Title)
		assert.Empty(t, c.Overflow, "%s: legend names beyond the legend's box", c.Title)
	}
}
