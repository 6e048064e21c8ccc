package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/internal/golden"
)

// TestHelpAgrees: `lockbench help`, `lockbench -h`, `lockbench help
// COMMAND` and `lockbench COMMAND -h` come from one table, list every
// command and name their arguments (issue 12).
func TestHelpAgrees(t *testing.T) {
	code, help, errOut := lockbench("help")
	require.Equal(t, 0, code, errOut)
	golden.Check(t, "help.golden", []byte(help))
	for _, flag := range []string{"-h", "-help", "--help"} {
		code, out, _ := lockbench(flag)
		assert.Equal(t, 0, code)
		assert.Equal(t, help, out, "lockbench %s is lockbench help", flag)
	}
	for _, c := range commands {
		assert.Contains(t, help, "  "+c.synopsis()+" ", "help lists %s with its arguments", c.name)
		code, viaHelp, errOut := lockbench("help", c.name)
		require.Equal(t, 0, code, errOut)
		assert.True(t, strings.HasPrefix(viaHelp, "Usage: "+c.synopsis()+"\n"), "%s: %q", c.name, viaHelp)
		golden.Check(t, "help-"+c.name+".golden", []byte(viaHelp))
		if c.name == "help" {
			continue
		}
		code, viaFlag, errOut := lockbench(c.name, "-h")
		assert.Equal(t, 0, code, errOut)
		assert.Empty(t, errOut, "help is not an error")
		assert.Equal(t, viaHelp, viaFlag, "lockbench help %s is lockbench %s -h", c.name, c.name)
	}
	code, _, errOut = lockbench("help", "nope")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `help: unknown command "nope" (valid: run, report, torture, list, mount, umount, conformance, help)`)
	code, _, errOut = lockbench("nope")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `unknown command "nope" (valid: run, report, torture, list, mount, umount, conformance, help)`)
}

// TestDocsListEveryCommand keeps the package doc and the README's command
// list equal to the table, as x/perf's cmd/benchstat doc test keeps its
// documentation honest.
func TestDocsListEveryCommand(t *testing.T) {
	src, err := os.ReadFile("main.go")
	require.NoError(t, err)
	assert.Contains(t, string(src), strings.ReplaceAll(commandList("//\t"), " \n", "\n"), "the package doc lists the table")

	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, help, _ := lockbench("help")
	assert.Contains(t, string(readme), "```\n$ lockbench help\n"+help+"```\n", "the README shows lockbench help as it is")
}
