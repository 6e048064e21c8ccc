package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/internal/testenv"
)

// startRun starts `lockbench run ARGS...` in another process with tmp as
// its os.TempDir, where its FUSE mounts appear.
func startRun(t *testing.T, tmp string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"run"}, args...)...)
	cmd.Env = append(os.Environ(), "LOCKBENCH_AS_MAIN=1", "TMPDIR="+tmp)
	require.NoError(t, cmd.Start())
	return cmd
}

func anyExists(paths []string) bool {
	for _, p := range paths {
		if _, err := os.Lstat(p); err == nil {
			return true
		}
	}
	return false
}

// TestKilledFuseRunLeavesNothing is issue 11's defect 1: `lockbench run
// -path fuse` killed with -9 in the middle of a trial must exit (no process
// left in D state waiting for its own answer), leave no mount, and the next
// fuse run must work.
func TestKilledFuseRunLeavesNothing(t *testing.T) {
	testenv.RequireFuse(t)
	if testing.Short() {
		t.Skip("-short: runs lockbench twice through FUSE")
	}
	tmp := testenv.PrivateTemp(t) // whatever goes wrong, what waits on a mount here is freed
	out := t.TempDir()
	run := startRun(t, tmp, "-o", filepath.Join(out, "killed"), "-path", "fuse", "-locks", "mutex", "-g", "2",
		"-duration", "2s", "-count", "3", "-precision", "0")
	exited := make(chan error, 1)
	go func() { exited <- run.Wait() }()
	t.Cleanup(func() { run.Process.Kill() })

	for deadline := time.Now().Add(30 * time.Second); len(testenv.MountsUnder(tmp)) == 0; time.Sleep(10 * time.Millisecond) {
		require.False(t, time.Now().After(deadline), "no fuse trial started within 30 s")
	}
	dirs := testenv.MountsUnder(tmp)
	time.Sleep(500 * time.Millisecond) // in the middle of the 2 s trial
	require.NoError(t, run.Process.Kill())
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		state, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", run.Process.Pid))
		t.Fatalf("the killed run did not exit within 5 s, stuck on its mount %v: %s", dirs, state)
	}
	for deadline := time.Now().Add(5 * time.Second); len(testenv.MountsUnder(tmp)) > 0 || anyExists(dirs); time.Sleep(10 * time.Millisecond) {
		require.False(t, time.Now().After(deadline), "the mount %v is still there 5 s after the kill", dirs)
	}

	again := startRun(t, tmp, "-o", filepath.Join(out, "again"), "-path", "fuse", "-locks", "mutex", "-g", "2",
		"-duration", "20ms", "-warmup", "0", "-count", "1", "-precision", "0")
	require.NoError(t, again.Wait(), "a new fuse run works")
	results, err := os.ReadFile(filepath.Join(out, "again", "results.txt"))
	require.NoError(t, err)
	assert.Regexp(t, `/path=fuse(-\d+)? `, string(results))
	assert.Empty(t, testenv.MountsUnder(tmp))
}
