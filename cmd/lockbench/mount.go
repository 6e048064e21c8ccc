package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/lockbench/lockbench/counter" // the modules mount can load, and the counter's parameters
	_ "github.com/lockbench/lockbench/hello"
	"github.com/lockbench/lockbench/kernel"
	"github.com/lockbench/lockbench/kernel/fusefs"
)

// mountCmd serves a simulated kernel's /proc at DIR through FUSE until
// SIGINT or SIGTERM, then unmounts.
func mountCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("mount")
	modules := fs.String("modules", "counter,hello", "modules to insmod, a comma list")
	counterLock := fs.String("counter-lock", "mutex", "the counter module's lock= (see lockbench list)")
	counterStats := fs.Bool("counter-stats", false, "load the counter module with stats=1: its lock's statistics in lock_stat")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return wrongArgs("mount", "want one directory")
	}
	dir := fs.Arg(0)
	guard, err := counter.ParseGuard(*counterLock)
	if err != nil {
		return usageErrorf("mount: -counter-lock: %v", err)
	}
	if st, err := os.Stat(dir); err != nil && !errors.Is(err, syscall.ENOTCONN) { // ENOTCONN: stale, cleared below
		return usageErrorf("mount: %v", err)
	} else if err == nil && !st.IsDir() {
		return usageErrorf("mount: %s is not a directory", dir)
	}

	if _, err := fusefs.Connection(dir); err == nil {
		// A FUSE mount is there; a stale one is cleared below, a live one
		// would have this mount stacked on top of it.
		if _, err := os.Stat(dir); !errors.Is(err, syscall.ENOTCONN) {
			return usageErrorf("mount: %s is already mounted (lockbench umount %s first)", dir, dir)
		}
	}

	k := kernel.New()
	var loaded []string
	for _, m := range splitList(*modules) {
		var params []string
		if m == "counter" {
			params = counter.Params{Guard: guard, Stats: *counterStats}.Insmod()
		}
		if err := k.Insmod(m, params...); err != nil {
			var names []string
			for _, mod := range kernel.Modules() {
				names = append(names, mod.Name)
			}
			return usageErrorf("mount: %v (modules: %s; see dmesg: %s)", err, strings.Join(names, ", "), lastLine(k.Dmesg()))
		}
		loaded = append(loaded, strings.TrimSpace(m+" "+strings.Join(params, " ")))
	}
	if cleared, err := fusefs.ClearStale(dir); err != nil {
		return err
	} else if cleared {
		fmt.Fprintf(stderr, "lockbench: cleared a stale mount at %s\n", dir)
	}
	// Catch SIGINT and SIGTERM before the mount exists: one that comes as
	// the files appear must unmount, not kill the server under its mount.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	server, err := fusefs.Mount(dir, k)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "lockbench: the simulated /proc is mounted at %s (modules: %s)\n", dir, strings.Join(loaded, "; "))
	fmt.Fprintf(stdout, "lockbench: try: echo I > %s/counter; cat %s/counter; stop with Ctrl-C or: lockbench umount %s\n", dir, dir, dir)

	done := make(chan struct{})
	go func() { server.Wait(); close(done) }()
	select {
	case <-sig:
		if err := server.Unmount(); err != nil {
			// Busy (a shell sits in DIR): detach lazily.
			if err := fusefs.Unmount(dir); err != nil {
				return err
			}
		}
		<-done
	case <-done: // unmounted from outside (lockbench umount)
	}
	fmt.Fprintf(stdout, "lockbench: unmounted %s\n", dir)
	return nil
}

// umountCmd detaches a mount at DIR, live or stale.
func umountCmd(args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("umount")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return wrongArgs("umount", "want one directory")
	}
	if err := fusefs.Unmount(fs.Arg(0)); err != nil {
		return usageErrorf("umount: %v", err)
	}
	return nil
}

func lastLine(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return lines[len(lines)-1]
}
