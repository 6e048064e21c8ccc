package reports

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCharts(t *testing.T) {
	rep, err := Build([]string{"testdata/locks.txt"}, ForLocks())
	require.NoError(t, err)
	charts, err := Charts(rep)
	require.NoError(t, err)
	// locks.txt has two mixes: time per operation (the headline),
	// throughput, p99 and fairness for each.
	require.Len(t, charts, 8)
	assert.Contains(t, charts[0].Title, "time per operation (ns)")
	assert.Contains(t, charts[2].Title, "throughput (ops/s)")
	for _, c := range charts {
		svg := string(c.SVG)
		assert.True(t, strings.HasPrefix(svg, "<svg"), "inline SVG without an XML declaration")
		for _, lock := range []string{"mutex", "ticket", "sharded"} {
			assert.Contains(t, svg, ">"+lock+"<", "%s: legend entry for %s", c.Title, lock)
		}
		assert.Greater(t, strings.Count(svg, "<path"), 8, c.Title)
	}

	files, err := Build([]string{"testdata/old.txt", "testdata/new.txt"}, ForFiles())
	require.NoError(t, err)
	none, err := Charts(files)
	require.NoError(t, err)
	assert.Empty(t, none, "file comparisons by benchmark name are not charted")
}

func TestWriteHTMLIsSelfContained(t *testing.T) {
	rep, err := Build([]string{"testdata/locks.txt", "testdata/malformed.txt"}, ForLocks())
	require.NoError(t, err)
	charts, err := Charts(rep)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, rep.WriteHTML(&b, "lockbench report", charts))
	page := b.String()
	assert.Contains(t, page, "<h1>lockbench report</h1>")
	assert.Contains(t, page, "<td class=\"label\">AMD EPYC</td>", "the machine description")
	assert.Equal(t, 8, strings.Count(page, `<figure class="chart"`))
	assert.Contains(t, page, "-92.55% (p=0.008 n=5)", "the tables")
	assert.Contains(t, page, "malformed.txt:1: parsing measurement", "the warnings")
	// Nothing is fetched: no external scripts, styles, images or fonts.
	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//`)
	assert.Empty(t, external.FindAllString(page, -1))
	assert.NotContains(t, page, "@import")
}
