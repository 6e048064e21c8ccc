package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"github.com/lockbench/lockbench/internal/conformance"
)

// conformanceCmd runs the conformance sequence against the counter and
// hello modules' files in DIR (/proc on a real kernel, or a lockbench mount).
func conformanceCmd(args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("conformance")
	rmmod := fs.String("rmmod", "rmmod counter", "the command that unloads the counter module")
	uid := fs.Int("uid", -1, "run the file operations as this user (e.g. 65534, nobody), regaining root for rmmod; root's CAP_DAC_OVERRIDE would otherwise open read-only entries for writing")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf("conformance: want one directory (usage: lockbench conformance [-rmmod CMD] DIR)")
	}
	sys := dirSystem{dir: fs.Arg(0), rmmod: *rmmod, uid: *uid}
	if err := sys.become(sys.uid); err != nil {
		return err
	}
	defer sys.become(0)
	return conformance.Run(stdout, sys)
}

// dirSystem is a directory of real files, and a shell command for rmmod.
type dirSystem struct {
	dir, rmmod string
	uid        int // effective uid for file operations; -1 to keep ours
}

// become sets the effective uid, keeping root as the saved uid so that it
// can be regained. Go applies it to every thread of the process.
func (d dirSystem) become(uid int) error {
	if d.uid < 0 {
		return nil
	}
	if err := syscall.Setresuid(-1, uid, -1); err != nil {
		return fmt.Errorf("conformance: setresuid to %d: %w", uid, err)
	}
	return nil
}

func (d dirSystem) Open(name string, flag int) (conformance.File, error) {
	f, err := os.OpenFile(filepath.Join(d.dir, name), flag, 0)
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (d dirSystem) RmmodCounter() error {
	if err := d.become(0); err != nil {
		return err
	}
	defer d.become(d.uid)
	return exec.Command("sh", "-c", d.rmmod).Run()
}
