package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// modulePath is lockbench's module, for the go run form of a hint.
const modulePath = "github.com/lockbench/lockbench"

// selfCommand is how the user can run lockbench again from where they are,
// for the hints a command prints ("every unit: lockbench report ..."): the
// hint must work when pasted, and `go run` leaves no lockbench command.
func selfCommand() string {
	exe, _ := os.Executable()
	onPath, _ := exec.LookPath("lockbench")
	cwd, _ := os.Getwd()
	return commandFor(os.Args[0], exe, onPath, cwd)
}

// commandFor decides selfCommand from the program's name as invoked
// (args0), its executable, the lockbench found on PATH ("" if none) and the
// working directory:
//
//   - "lockbench" when that name on PATH is this program;
//   - under go run (an executable in the go build cache's temporary
//     directory): "go run ./cmd/lockbench" from a clone's root, "go run
//     github.com/lockbench/lockbench/cmd/lockbench" inside a clone, the
//     @latest form elsewhere;
//   - otherwise the path it was run by ("./lockbench", "/tmp/lb").
func commandFor(args0, exe, onPath, cwd string) string {
	if onPath != "" && sameFile(onPath, exe) {
		return "lockbench"
	}
	if strings.Contains(exe, string(filepath.Separator)+"go-build") {
		root := moduleRoot(cwd)
		switch {
		case root == "":
			return "go run " + modulePath + "/cmd/lockbench@latest"
		case root == cwd:
			return "go run ./cmd/lockbench"
		}
		return "go run " + modulePath + "/cmd/lockbench"
	}
	if strings.ContainsRune(args0, filepath.Separator) {
		return args0
	}
	return exe
}

// sameFile reports whether two paths name one file.
func sameFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// moduleRoot returns the directory at or above dir whose go.mod declares
// lockbench's module, "" if there is none.
func moduleRoot(dir string) string {
	for dir != "" {
		if mod, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			first, _, _ := strings.Cut(string(mod), "\n")
			if strings.TrimSpace(first) == "module "+modulePath {
				return dir
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	return ""
}
