// Package fusefs serves a simulated kernel's /proc through FUSE, so that
// `echo I > DIR/counter`, `cat DIR/helloworlddriver` and `cat DIR/modules`
// work from any shell, against the Go modules and locks.
//
// Every proc entry of the kernel (kmsg, the dmesg text, among them) appears
// as a regular file with its mode, looked up afresh on every access (rmmod
// makes it vanish). Files are opened with direct I/O, so every read reaches
// the entry's handler at its offset (cat shows the live value, dd skip=
// works) and writes from many processes run in parallel. Errors from the
// kernel package are syscall.Errno values and go back to the caller as they
// are: `echo X > counter` fails with EINVAL, opening a read-only entry for
// writing with EACCES, `rm counter` with EACCES and `chmod` with EPERM, as
// /proc answers a user who is not root.
package fusefs

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/lockbench/lockbench/kernel"
)

// Mount serves k's /proc at dir and returns the running server; call
// Unmount on it to stop. It mounts directly (root, no fusermount needed) and
// falls back to fusermount3 where that is installed and the direct mount is
// refused. A stale mount left at dir by a killed server is cleared first.
func Mount(dir string, k *kernel.Kernel) (*fuse.Server, error) {
	if _, err := ClearStale(dir); err != nil {
		return nil, err
	}
	zero := time.Duration(0)
	opts := &fs.Options{
		MountOptions: fuse.MountOptions{
			DirectMountStrict: true,
			FsName:            "lockbench",
			Name:              "lockbench",
			DisableXAttrs:     true,
			AllowOther:        os.Geteuid() == 0, // as /proc: every user may look
		},
		// Nothing is cached: entries come and go with insmod and rmmod.
		EntryTimeout:    &zero,
		AttrTimeout:     &zero,
		NegativeTimeout: &zero,
	}
	r := &root{k: k, mounted: time.Now()}
	server, err := fs.Mount(dir, r, opts)
	if err != nil {
		if _, lookErr := exec.LookPath("fusermount3"); lookErr != nil {
			return nil, fmt.Errorf("fusefs: mount %s: %w", dir, err)
		}
		opts.MountOptions.DirectMountStrict = false
		opts.MountOptions.AllowOther = false
		if server, err = fs.Mount(dir, r, opts); err != nil {
			return nil, fmt.Errorf("fusefs: mount %s (direct and with fusermount3): %w", dir, err)
		}
	}
	return server, nil
}

// Available says why Mount cannot work here, or nil: a direct mount needs
// root and /dev/fuse.
func Available() error {
	if os.Geteuid() != 0 {
		return errors.New("fusefs: mounting with DirectMountStrict needs root")
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		return fmt.Errorf("fusefs: no /dev/fuse: %w", err)
	}
	return nil
}

// ClearStale detects a stale mount at dir, the one a killed server leaves
// ("Transport endpoint is not connected"), and detaches it (a lazy unmount).
// It reports whether it cleared one.
func ClearStale(dir string) (bool, error) {
	_, err := os.Stat(dir)
	if !errors.Is(err, syscall.ENOTCONN) {
		return false, nil
	}
	if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
		return false, fmt.Errorf("fusefs: clearing the stale mount at %s: %w", dir, err)
	}
	return true, nil
}

// Unmount detaches whatever is mounted at dir, live or stale, as
// `umount -l` does.
func Unmount(dir string) error {
	if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
		if errors.Is(err, syscall.EINVAL) {
			return fmt.Errorf("fusefs: %s is not a mount point", dir)
		}
		return fmt.Errorf("fusefs: unmount %s: %w", dir, err)
	}
	return nil
}

// Connection returns the FUSE connection of the mount at dir: its number
// under /sys/fs/fuse/connections, the minor of the mount's device, read
// from /proc/self/mountinfo so that nothing touches the mount itself (a
// stuck mount hangs whoever does).
func Connection(dir string) (int, error) {
	mounts, err := fuseMounts()
	if err != nil {
		return 0, err
	}
	clean := filepath.Clean(dir)
	for _, m := range mounts {
		if m.dir == clean {
			return m.conn, nil
		}
	}
	return 0, fmt.Errorf("fusefs: no FUSE mount at %s", dir)
}

// Mounts lists the directories where lockbench's file systems are mounted,
// live or stale, from /proc/self/mountinfo, without touching any of them.
func Mounts() []string {
	mounts, _ := fuseMounts()
	var dirs []string
	for _, m := range mounts {
		if m.fsType == "fuse.lockbench" {
			dirs = append(dirs, m.dir)
		}
	}
	return dirs
}

type fuseMount struct {
	dir    string
	fsType string // fuse.lockbench for ours
	conn   int    // the device's minor: the fusectl connection number
}

// fuseMounts reads the FUSE mounts of /proc/self/mountinfo.
func fuseMounts() ([]fuseMount, error) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	var mounts []fuseMount
	for _, line := range strings.Split(string(b), "\n") {
		// id parent major:minor root mountpoint options ... - fstype source ...
		f := strings.Fields(line)
		sep := slices.Index(f, "-")
		if len(f) < 5 || sep < 0 || sep+1 >= len(f) || !strings.HasPrefix(f[sep+1], "fuse") {
			continue
		}
		_, minor, ok := strings.Cut(f[2], ":")
		conn, err := strconv.Atoi(minor)
		if !ok || err != nil {
			continue
		}
		mounts = append(mounts, fuseMount{dir: unescapeMountinfo(f[4]), fsType: f[sep+1], conn: conn})
	}
	return mounts, nil
}

// unescapeMountinfo undoes mountinfo's octal escapes of space, tab, newline
// and backslash (\040 and the like).
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Abort aborts FUSE connection conn, as writing to fusectl's abort file
// does: every request waiting on it fails with ENOTCONN, so that processes
// stuck on a server that will never answer (one killed while its own
// process did I/O to its mount) can finish. It mounts fusectl at
// /sys/fs/fuse/connections when it is not there.
func Abort(conn int) error {
	const ctl = "/sys/fs/fuse/connections"
	abort := filepath.Join(ctl, strconv.Itoa(conn), "abort")
	if _, err := os.Stat(abort); errors.Is(err, os.ErrNotExist) {
		if err := syscall.Mount("none", ctl, "fusectl", 0, ""); err != nil && !errors.Is(err, syscall.EBUSY) {
			return fmt.Errorf("fusefs: mounting fusectl: %w", err)
		}
	}
	if err := os.WriteFile(abort, []byte("1"), 0); err != nil {
		return fmt.Errorf("fusefs: aborting connection %d: %w", conn, err)
	}
	return nil
}

// root is the mounted directory: the kernel's /proc.
type root struct {
	fs.Inode
	k       *kernel.Kernel
	mounted time.Time // every file's date, as /proc's are its boot's
}

var (
	_ fs.NodeLookuper  = (*root)(nil)
	_ fs.NodeReaddirer = (*root)(nil)
	_ fs.NodeGetattrer = (*root)(nil)
	_ fs.NodeUnlinker  = (*root)(nil)
	_ fs.NodeRmdirer   = (*root)(nil)
	_ fs.NodeRenamer   = (*root)(nil)
	_ fs.NodeCreater   = (*root)(nil)
	_ fs.NodeMkdirer   = (*root)(nil)
	_ fs.NodeMknoder   = (*root)(nil)
	_ fs.NodeSymlinker = (*root)(nil)
	_ fs.NodeLinker    = (*root)(nil)
)

// Getattr describes the directory, as /proc: 0555.
func (r *root) Getattr(_ context.Context, _ fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	out.Mode = syscall.S_IFDIR | 0o555
	setTimes(&out.Attr, r.mounted)
	return 0
}

// setTimes dates a file as /proc dates its entries: when it was mounted,
// not 1970.
func setTimes(a *fuse.Attr, t time.Time) {
	a.SetTimes(&t, &t, &t)
}

// Readdir lists the proc entries.
func (r *root) Readdir(context.Context) (fs.DirStream, syscall.Errno) {
	var list []fuse.DirEntry
	for _, e := range r.k.ProcList() {
		list = append(list, fuse.DirEntry{Name: e.Name, Mode: syscall.S_IFREG, Ino: inoOf(e.Name)})
	}
	return fs.NewListDirStream(list), 0
}

// Lookup finds a proc entry by name.
func (r *root) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	for _, e := range r.k.ProcList() {
		if e.Name != name {
			continue
		}
		n := &entry{k: r.k, name: e.Name, mode: uint32(e.Mode.Perm()), mounted: r.mounted}
		n.fill(&out.Attr)
		return r.NewInode(ctx, n, fs.StableAttr{Mode: syscall.S_IFREG, Ino: inoOf(name)}), 0
	}
	return nil, syscall.ENOENT
}

// The directory's names are the modules': every call that would add,
// remove or rename one is answered by the kernel (kernel.Kernel.Unlink and
// the others), which refuses it with /proc's errno. A node that left these
// out would have go-fuse answer some of them with success.

func (r *root) Unlink(_ context.Context, name string) syscall.Errno {
	return errnoOf(r.k.Unlink("/proc/" + name))
}

// Rmdir: a proc entry is a file, but as in /proc the permission check on
// the directory comes first.
func (r *root) Rmdir(_ context.Context, name string) syscall.Errno {
	return errnoOf(r.k.Unlink("/proc/" + name))
}

func (r *root) Rename(_ context.Context, name string, _ fs.InodeEmbedder, newName string, _ uint32) syscall.Errno {
	return errnoOf(r.k.Rename("/proc/"+name, "/proc/"+newName))
}

func (r *root) Create(_ context.Context, name string, _, _ uint32, _ *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	return nil, nil, 0, errnoOf(r.k.Mkdir("/proc/" + name))
}

func (r *root) Mkdir(_ context.Context, name string, _ uint32, _ *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	return nil, errnoOf(r.k.Mkdir("/proc/" + name))
}

func (r *root) Mknod(_ context.Context, name string, _, _ uint32, _ *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	return nil, errnoOf(r.k.Mkdir("/proc/" + name))
}

func (r *root) Symlink(_ context.Context, _, name string, _ *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	return nil, errnoOf(r.k.Mkdir("/proc/" + name))
}

func (r *root) Link(_ context.Context, _ fs.InodeEmbedder, name string, _ *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	return nil, errnoOf(r.k.Mkdir("/proc/" + name))
}

// inoOf gives a name a stable inode number (2 and up; 1 is the root).
func inoOf(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64() | 2
}

// entry is one file: a proc entry.
type entry struct {
	fs.Inode
	k       *kernel.Kernel
	name    string
	mode    uint32
	mounted time.Time
}

var (
	_ fs.NodeOpener    = (*entry)(nil)
	_ fs.NodeGetattrer = (*entry)(nil)
	_ fs.NodeSetattrer = (*entry)(nil)
)

func (e *entry) fill(a *fuse.Attr) {
	a.Mode = syscall.S_IFREG | e.mode
	a.Nlink = 1
	a.Size = 0 // as in /proc: the size is not known before reading
	setTimes(a, e.mounted)
}

// Getattr reports the entry's mode; size 0, as /proc does.
func (e *entry) Getattr(_ context.Context, _ fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	e.fill(&out.Attr)
	return 0
}

// Setattr accepts the truncation a shell's `>` asks for, which a proc file
// ignores, and answers a change of mode, owner or times as the kernel does
// (kernel.Kernel.Chmod and the others: refused, and nothing changes).
func (e *entry) Setattr(_ context.Context, _ fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	path := "/proc/" + e.name
	var err error
	if mode, ok := in.GetMode(); ok {
		err = e.k.Chmod(path, os.FileMode(mode).Perm())
	}
	uid, uidOK := in.GetUID()
	gid, gidOK := in.GetGID()
	if err == nil && (uidOK || gidOK) {
		err = e.k.Chown(path, ownerArg(uid, uidOK), ownerArg(gid, gidOK))
	}
	if err == nil && in.Valid&(fuse.FATTR_ATIME|fuse.FATTR_MTIME) != 0 {
		var t time.Time // the zero time: now
		if in.Valid&(fuse.FATTR_ATIME_NOW|fuse.FATTR_MTIME_NOW) == 0 {
			t, _ = in.GetMTime()
		}
		err = e.k.Touch(path, t)
	}
	if err != nil {
		return errnoOf(err)
	}
	e.fill(&out.Attr)
	return 0
}

// ownerArg is chown(2)'s argument for an id: -1 leaves it as it is.
func ownerArg(id uint32, set bool) int {
	if !set {
		return -1
	}
	return int(id)
}

// Open opens the kernel's file with the caller's access mode. Reads and
// writes then go to the entry's handlers uncached (direct I/O), and writes
// to one file may run in parallel.
func (e *entry) Open(_ context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	const fuseFlags = fuse.FOPEN_DIRECT_IO | fuse.FOPEN_PARALLEL_DIRECT_WRITES
	f, err := e.k.Open("/proc/"+e.name, int(flags&syscall.O_ACCMODE))
	if err != nil {
		return nil, 0, errnoOf(err)
	}
	return &handle{f: f}, fuseFlags, 0
}

// handle is an open proc file.
type handle struct{ f *kernel.File }

var (
	_ fs.FileReader   = (*handle)(nil)
	_ fs.FileWriter   = (*handle)(nil)
	_ fs.FileReleaser = (*handle)(nil)
)

// Read reads at off, as pread(2) on the proc file does.
func (h *handle) Read(_ context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	n, err := h.f.ReadAt(dest, off)
	if err != nil && err != io.EOF {
		return nil, errnoOf(err)
	}
	return fuse.ReadResultData(dest[:n]), 0
}

// Write writes at off, one call of the entry's write handler.
func (h *handle) Write(_ context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	n, err := h.f.WriteAt(data, off)
	if err != nil {
		return uint32(n), errnoOf(err)
	}
	return uint32(n), 0
}

// Release closes the proc file.
func (h *handle) Release(context.Context) syscall.Errno {
	if err := h.f.Close(); err != nil {
		return errnoOf(err)
	}
	return 0
}

// errnoOf maps an error of the kernel package to its errno, one to one;
// nil to 0.
func errnoOf(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return syscall.EIO
}
