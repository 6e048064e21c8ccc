package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHintWorksFromWhereTheUserIs: after `go run ./cmd/lockbench` the run
// ended with "every unit: lockbench report ...", and there was no
// lockbench command.
func TestHintWorksFromWhereTheUserIs(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin", "lockbench")
	require.NoError(t, os.MkdirAll(filepath.Dir(bin), 0o755))
	require.NoError(t, os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755))
	clone := filepath.Join(dir, "clone")
	require.NoError(t, os.MkdirAll(filepath.Join(clone, "reports"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(clone, "go.mod"), []byte("module "+modulePath+"\n\ngo 1.26\n"), 0o644))
	other := filepath.Join(dir, "elsewhere")
	require.NoError(t, os.MkdirAll(other, 0o755))
	goRun := filepath.Join(dir, "go-build123", "b001", "exe", "lockbench")

	assert.Equal(t, "lockbench", commandFor("lockbench", bin, bin, other), "installed on PATH")
	assert.Equal(t, "go run ./cmd/lockbench", commandFor(goRun, goRun, "", clone), "go run from a clone's root")
	assert.Equal(t, "go run "+modulePath+"/cmd/lockbench", commandFor(goRun, goRun, "", filepath.Join(clone, "reports")), "go run inside a clone")
	assert.Equal(t, "go run "+modulePath+"/cmd/lockbench@latest", commandFor(goRun, goRun, "", other), "go run from elsewhere")
	assert.Equal(t, "go run ./cmd/lockbench", commandFor(goRun, goRun, bin, clone), "another lockbench on PATH is not this one")
	assert.Equal(t, "./lockbench", commandFor("./lockbench", filepath.Join(other, "lockbench"), "", other), "a binary run by its path")
}
