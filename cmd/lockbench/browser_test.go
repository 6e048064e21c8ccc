package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
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

// TestReportRendersInChromium renders a run's report.html in headless
// Chromium and checks that every chart has drawn: a rendered SVG of non-zero
// size with paths in it. The screenshot stays in the output folder; CI sets
// LOCKBENCH_ARTIFACTS to keep that folder as an artifact.
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
	code, _, errOut := lockbench("run", "-locks", "mutex,ticket,atomic", "-g", "1,2,4", "-duration", "20ms", "-count", "2", "-precision", "0", "-o", dir)
	require.Equal(t, 0, code, errOut)
	report, err := filepath.Abs(filepath.Join(dir, "report.html"))
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	browser := func(extra ...string) []byte {
		args := append([]string{
			"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir=" + t.TempDir(),
		}, extra...)
		out, err := exec.CommandContext(ctx, chromium, append(args, "file://"+report)...).Output()
		require.NoError(t, err, "chromium %v", extra)
		return out
	}

	screenshot := filepath.Join(dir, "report.png")
	browser("--window-size=1400,2400", "--screenshot="+screenshot)
	png, err := os.ReadFile(screenshot)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(png), "\x89PNG"), "a PNG screenshot")

	// The page records each chart's rendered size and drawn paths.
	dom := string(browser("--dump-dom"))
	m := regexp.MustCompile(`data-charts="([^"]*)"`).FindStringSubmatch(dom)
	require.NotNil(t, m, "the page's script did not run")
	charts := strings.Fields(m[1])
	assert.Len(t, charts, 3, "throughput, p99 and fairness")
	for _, c := range charts {
		var w, h, paths int
		parts := regexp.MustCompile(`^(\d+)x(\d+):(\d+)$`).FindStringSubmatch(c)
		require.NotNil(t, parts, c)
		w, _ = strconv.Atoi(parts[1])
		h, _ = strconv.Atoi(parts[2])
		paths, _ = strconv.Atoi(parts[3])
		assert.Positive(t, w, c)
		assert.Positive(t, h, c)
		assert.Greater(t, paths, 5, "lines, points and axes drawn: %s", c)
	}
}
