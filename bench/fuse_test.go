package bench

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/counter"
	"github.com/lockbench/lockbench/internal/testenv"
)

// TestMain doubles as the child of BenchmarkPipePingPong.
func TestMain(m *testing.M) {
	if os.Getenv("LOCKBENCH_PINGPONG_CHILD") == "1" {
		pingPongChild()
		return
	}
	os.Exit(m.Run())
}

// pingPongChild echoes every byte from stdin to stdout until EOF.
func pingPongChild() {
	in, out := bufio.NewReader(os.Stdin), os.Stdout
	b := make([]byte, 1)
	for {
		if _, err := io.ReadFull(in, b); err != nil {
			return
		}
		if _, err := out.Write(b); err != nil {
			return
		}
	}
}

// BenchmarkPipePingPong is the floor a FUSE round trip is measured against:
// two processes passing one byte back and forth over pipes; ns/op is one
// round trip.
//
//	go test -run '^$' -bench 'PipePingPong|Fuse' -count 10 ./bench | benchstat -col .name -
func BenchmarkPipePingPong(b *testing.B) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LOCKBENCH_PINGPONG_CHILD=1")
	stdin, err := cmd.StdinPipe()
	require.NoError(b, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(b, err)
	require.NoError(b, cmd.Start())
	defer func() { stdin.Close(); cmd.Wait() }()

	buf := []byte{'x'}
	for b.Loop() {
		if _, err := stdin.Write(buf); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(stdout, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFuse drives the counter through a real FUSE mount: one file
// descriptor per goroutine with pwrite (path=fuse), and open-write-close per
// operation as a shell does (path=fuse-open). Root and /dev/fuse only.
func BenchmarkFuse(b *testing.B) {
	if testing.Short() {
		b.Skip("-short: FUSE round trips take tens of microseconds each")
	}
	testenv.RequireFuse(b)
	procs := runtime.GOMAXPROCS(0)
	for _, path := range []string{"fuse", "fuse-open"} {
		for _, lock := range []string{"mutex", "atomic"} {
			for _, g := range []int{1, procs, 4 * procs} {
				spec := Spec{Guard: counter.MustParseGuard(lock), Goroutines: g, Mix: MixInc, Path: path}
				b.Run(spec.Name(), func(b *testing.B) { benchmarkCounter(b, spec) })
			}
		}
	}
}

func TestFusePathsExact(t *testing.T) {
	testenv.RequireFuse(t)
	results, err := Run(context.Background(), Config{
		Guards:     guards("ticket", "sharded"),
		Goroutines: []int{1, 4},
		Mixes:      []Mix{MixIncDec, MixRead90},
		CS:         []time.Duration{0},
		Paths:      []string{"fuse", "fuse-open"},
		Duration:   30 * time.Millisecond,
	})
	require.NoError(t, err)
	assert.Len(t, results, 16)
	for _, r := range results {
		assert.Positive(t, r.Ops, r.Spec.Name())
	}
}

// TestFilePath drives a file that is not a fresh counter: a lockbench mount
// whose counter already holds 5; the check is relative to the start value.
func TestFilePath(t *testing.T) {
	testenv.RequireFuse(t)
	p, err := LookupPath("fuse")
	require.NoError(t, err)
	target, err := p.Attach(CounterConfig{Guard: counter.MustParseGuard("mutex")})
	require.NoError(t, err)
	defer target.Close()
	file := target.(*fuseTarget).path
	for range 5 {
		require.NoError(t, os.WriteFile(file, []byte("I\n"), 0))
	}

	var out bytes.Buffer
	results, err := Run(context.Background(), Config{
		Guards:     labels("kernel-mutex"),
		Goroutines: []int{2},
		Mixes:      []Mix{MixIncDec},
		CS:         []time.Duration{0},
		Paths:      []string{"file"},
		Target:     file,
		Duration:   30 * time.Millisecond,
		Output:     &out,
	})
	require.NoError(t, err)
	require.Len(t, results, 1)
	assert.Contains(t, out.String(), "BenchmarkCounter/lock=kernel-mutex/g=2/mix=incdec/cs=0/path=file-")

	_, err = Run(context.Background(), Config{Paths: []string{"file"}, Guards: labels("x")})
	assert.ErrorContains(t, err, "path=file needs a target file")
	_, err = Run(context.Background(), Config{Paths: []string{"file"}, Guards: labels("x"), Target: filepath.Join(t.TempDir(), "none"), Duration: time.Millisecond})
	assert.ErrorContains(t, err, "no such file")
}
