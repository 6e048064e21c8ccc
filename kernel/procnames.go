package kernel

import (
	"io/fs"
	"syscall"
	"time"
)

// The names and attributes of /proc's entries are their modules' to make
// and remove: a user can neither add, remove, rename nor re-own an entry.
// The calls below answer as Linux's /proc answers a user who is not root,
// the caller this kernel models throughout (kmod/conformance.golden holds
// the real kernel's answers, recorded as nobody):
//
//   - a name /proc does not know cannot be made: its lookup fails, so
//     creating, making a directory or renaming to a new name is ENOENT;
//   - removing or renaming an entry needs write access to /proc (0555):
//     EACCES;
//   - chmod, chown and setting explicit times need the owner (root): EPERM;
//   - setting the times to now needs write access to the entry: ok, and
//     nothing changes, where the mode allows writing, EACCES where not.
//
// Each fails with ENOENT when name is not an entry, and changes nothing.

// Unlink answers unlink(2) of name.
func (k *Kernel) Unlink(name string) error {
	if _, err := k.lookup("unlink", name); err != nil {
		return err
	}
	return &fs.PathError{Op: "unlink", Path: name, Err: syscall.EACCES}
}

// Rename answers rename(2) of from to to: ENOENT unless both name
// entries (/proc makes no new names), EACCES when both do.
func (k *Kernel) Rename(from, to string) error {
	if _, err := k.lookup("rename", from); err != nil {
		return err
	}
	if _, err := k.lookup("rename", to); err != nil {
		return err
	}
	return &fs.PathError{Op: "rename", Path: from, Err: syscall.EACCES}
}

// Mkdir answers mkdir(2), and mknod(2), symlink(2) and link(2) to name:
// EEXIST for an entry, ENOENT for a name /proc does not know.
func (k *Kernel) Mkdir(name string) error {
	if _, err := k.lookup("mkdir", name); err != nil {
		return err
	}
	return &fs.PathError{Op: "mkdir", Path: name, Err: syscall.EEXIST}
}

// Chmod answers chmod(2): EPERM, the entry is root's.
func (k *Kernel) Chmod(name string, _ fs.FileMode) error { return k.notOwner("chmod", name) }

// Chown answers chown(2): EPERM, the entry is root's.
func (k *Kernel) Chown(name string, _, _ int) error { return k.notOwner("chown", name) }

// Touch answers utimensat(2) setting both times to t, or to now for the
// zero time: EPERM for explicit times, which need the owner; for now, ok
// where the entry's mode allows writing (the times stay as they are) and
// EACCES where it does not.
func (k *Kernel) Touch(name string, t time.Time) error {
	if !t.IsZero() {
		return k.notOwner("utimensat", name)
	}
	e, err := k.lookup("utimensat", name)
	if err != nil {
		return err
	}
	if e.mode&0o222 == 0 {
		return &fs.PathError{Op: "utimensat", Path: name, Err: syscall.EACCES}
	}
	return nil
}

func (k *Kernel) notOwner(op, name string) error {
	if _, err := k.lookup(op, name); err != nil {
		return err
	}
	return &fs.PathError{Op: op, Path: name, Err: syscall.EPERM}
}
