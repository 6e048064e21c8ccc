// Package testenv holds test helpers that say why a test cannot run here,
// as Go's own internal/testenv does.
package testenv

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lockbench/lockbench/kernel/fusefs"
)

// RequireFuse skips a test that mounts a FUSE file system where that cannot
// work (not root, no /dev/fuse), saying exactly why; under CI=true it fails
// instead, since CI must run those tests.
func RequireFuse(t testing.TB) {
	t.Helper()
	err := fusefs.Available()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI must run the FUSE tests: %v", err)
	}
	t.Skip(err)
}

// MountsUnder lists the lockbench mounts in directory dir (not below it),
// read from /proc/self/mountinfo without touching them.
func MountsUnder(dir string) []string {
	var dirs []string
	for _, m := range fusefs.Mounts() {
		if filepath.Dir(m) == dir {
			dirs = append(dirs, m)
		}
	}
	return dirs
}

// PrivateTemp gives the test, and the processes it starts, their own
// os.TempDir (TMPDIR), where lockbench's FUSE servers make their mounts.
// When the test ends, any mount left there fails the test and is aborted
// through fusectl and detached, so that a failing test cannot leave a
// process stuck on a mount.
func PrivateTemp(t *testing.T) string {
	t.Helper()
	RequireFuse(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Cleanup(func() {
		for _, dir := range MountsUnder(tmp) {
			t.Errorf("a mount was left at %s; aborting it", dir)
			ReleaseMount(dir)
		}
	})
	return tmp
}

// ReleaseMount frees whatever waits on the FUSE mount at dir, stuck or
// stale: it aborts the mount's connection through fusectl (a process
// waiting on a server that will never answer then gets ENOTCONN) and
// detaches the mount.
func ReleaseMount(dir string) {
	if conn, err := fusefs.Connection(dir); err == nil {
		fusefs.Abort(conn)
	}
	fusefs.Unmount(dir)
}
