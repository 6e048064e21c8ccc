// Package testenv holds test helpers that say why a test cannot run here,
// as Go's own internal/testenv does.
package testenv

import (
	"os"
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
