package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/internal/conformance"
	"github.com/lockbench/lockbench/internal/fusechild"
	"github.com/lockbench/lockbench/internal/testenv"
	"github.com/lockbench/lockbench/kernel"
)

// The real kernel is the oracle: kmod/conformance.golden holds what Linux
// 6.1 answered in the qemu guest (kmod/guest-test.sh), and the simulated
// kernel must answer the same, in-process and through FUSE.

func golden(t *testing.T) string {
	b, err := os.ReadFile("../../kmod/conformance.golden")
	require.NoError(t, err)
	return string(b)
}

func loaded(t *testing.T) *kernel.Kernel {
	k := kernel.New()
	require.NoError(t, k.Insmod("counter"))
	require.NoError(t, k.Insmod("hello"))
	return k
}

// kernelSystem runs the sequence on the simulated kernel's API.
type kernelSystem struct{ k *kernel.Kernel }

func (s kernelSystem) Open(name string, flag int) (conformance.File, error) {
	f, err := s.k.Open("/proc/"+name, flag)
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (s kernelSystem) RmmodCounter() error { return s.k.Rmmod("counter") }

func TestConformanceInProcess(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, conformance.Run(&out, kernelSystem{loaded(t)}))
	assert.Equal(t, golden(t), out.String())
}

// fuseSystem runs the sequence through a FUSE mount served by a child
// process (this one does I/O to it), with rmmod in the child's kernel.
type fuseSystem struct{ m *fusechild.Mount }

func (s fuseSystem) Open(name string, flag int) (conformance.File, error) {
	f, err := os.OpenFile(filepath.Join(s.m.Dir, name), flag, 0)
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (s fuseSystem) RmmodCounter() error { return s.m.Rmmod("counter") }

func TestConformanceThroughFUSE(t *testing.T) {
	testenv.RequireFuse(t)
	m, err := fusechild.Start(fusechild.Module{Name: "counter"}, fusechild.Module{Name: "hello"})
	require.NoError(t, err)
	defer func() { assert.NoError(t, m.Close()) }()
	var out bytes.Buffer
	require.NoError(t, conformance.Run(&out, fuseSystem{m}))
	assert.Equal(t, golden(t), out.String())
}

// TestConformanceFailsWhenRmmodFails: the sequence is printed whole, but a
// failed rmmod means it did not test what it says: status 1 (issue 11,
// defect 9).
func TestConformanceFailsWhenRmmodFails(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"counter", "helloworlddriver"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("0\n"), 0o644))
	}
	code, out, errOut := lockbench("conformance", "-rmmod", "false", dir)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "rmmod counter with the file open: error: exit status 1")
	assert.Contains(t, out, "open counter after rmmod: ", "the sequence ran to its end")
	assert.Equal(t, "lockbench: conformance: rmmod counter failed: exit status 1\n", errOut)
}
