// Package sysinfo describes the machine a measurement ran on, as the
// configuration lines of a Go benchmark file do (goos, goarch, cpu, ...).
package sysinfo

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// Config is one key: value line of a benchmark file's header.
type Config struct{ Key, Value string }

// Describe returns the machine's configuration lines: goos, goarch, cpu
// model, GOMAXPROCS, Go version, kernel release and lockbench version.
func Describe() []Config {
	return []Config{
		{"goos", runtime.GOOS},
		{"goarch", runtime.GOARCH},
		{"cpu", CPUModel()},
		{"gomaxprocs", strconv.Itoa(runtime.GOMAXPROCS(0))},
		{"numcpu", strconv.Itoa(runtime.NumCPU())},
		{"go", runtime.Version()},
		{"kernel", KernelRelease()},
		{"lockbench", Version()},
	}
}

// CPUModel returns the CPU's model name, "unknown" where it cannot tell.
func CPUModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		key, value, ok := strings.Cut(s.Text(), ":")
		if ok && strings.TrimSpace(key) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown"
}

// KernelRelease returns the running kernel's release (uname -r), "unknown"
// where it cannot tell.
func KernelRelease() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

// Version returns lockbench's version: the module version for an installed
// binary, else the VCS revision it was built from (with "+dirty" for a
// modified tree), else "devel".
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev == "" {
		return "devel"
	}
	return rev[:min(12, len(rev))] + dirty
}
