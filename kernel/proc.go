package kernel

import (
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"syscall"
)

// ProcOps are an entry's handlers, as the kernel's struct proc_ops holds
// .proc_read and .proc_write. A readable entry has exactly one of Read and
// Show; a writable one has Write.
type ProcOps struct {
	// Read is .proc_read: copy the data at *off into buf, advance *off by the
	// count and return it; return 0 at the end of the data. It runs with the
	// file's position lock held, never concurrently for one File.
	Read func(f *File, buf []byte, off *int64) (int, error)

	// Show is the seq_file single_open shortcut: append the entry's whole
	// content to buf and return it. The kernel calls it for a read at offset
	// 0 and serves later offsets from that snapshot, so a reader that reads
	// one byte at a time still reassembles one consistent value.
	Show func(buf []byte) []byte

	// Write is .proc_write: consume buf, which holds what the user wrote, and
	// return how much was consumed. The error should be a syscall.Errno, e.g.
	// EINVAL for input the entry does not understand.
	Write func(f *File, buf []byte, off *int64) (int, error)
}

// ProcEntry is an entry under /proc, the kernel's proc_dir_entry.
type ProcEntry struct {
	k    *Kernel
	name string
	mode fs.FileMode
	ops  ProcOps

	mu      sync.Mutex
	files   map[*File]struct{} // open files; guarded by mu
	removed bool               // guarded by mu
}

// procfs is the kernel's /proc directory.
type procfs struct {
	mu      sync.RWMutex
	entries map[string]*ProcEntry // by name; guarded by mu
}

// ProcCreate creates /proc/name with the given permission bits (e.g. 0444,
// 0222, 0666) and handlers, as proc_create does. It fails with EEXIST if the
// name exists, and with EINVAL for a name that is empty or contains '/', for
// mode bits other than read and write permissions, or for handlers that do
// not match the mode.
func (k *Kernel) ProcCreate(name string, mode fs.FileMode, ops ProcOps) (*ProcEntry, error) {
	pathErr := func(err error) error { return &fs.PathError{Op: "proc_create", Path: "/proc/" + name, Err: err} }
	switch {
	case name == "" || name == "." || name == ".." || strings.ContainsRune(name, '/'):
		return nil, pathErr(syscall.EINVAL)
	case mode&^0o666 != 0 || mode == 0:
		return nil, pathErr(syscall.EINVAL)
	case mode&0o444 != 0 && (ops.Read == nil) == (ops.Show == nil):
		return nil, pathErr(syscall.EINVAL) // readable: exactly one of Read, Show
	case mode&0o444 == 0 && (ops.Read != nil || ops.Show != nil):
		return nil, pathErr(syscall.EINVAL)
	case (mode&0o222 != 0) != (ops.Write != nil):
		return nil, pathErr(syscall.EINVAL)
	}
	e := &ProcEntry{k: k, name: name, mode: mode, ops: ops, files: make(map[*File]struct{})}
	k.proc.mu.Lock()
	defer k.proc.mu.Unlock()
	if _, ok := k.proc.entries[name]; ok {
		return nil, pathErr(syscall.EEXIST)
	}
	k.proc.entries[name] = e
	return e, nil
}

// Name returns the entry's name under /proc.
func (e *ProcEntry) Name() string { return e.name }

// Mode returns the entry's permission bits.
func (e *ProcEntry) Mode() fs.FileMode { return e.mode }

// Remove removes the entry, as remove_proc_entry does. New opens fail with
// ENOENT at once. Remove then waits for handler calls already in flight on
// open files to return; after it returns no handler of the entry runs again,
// and reads and writes on files still open fail with EIO. Removing a removed
// entry does nothing.
//
// In flight calls are tracked per open file (each File's position lock), not
// with one in-use count on the entry as the kernel's pde->in_use does, so
// that goroutines with files of their own share no word on the hot path.
func (e *ProcEntry) Remove() {
	e.k.proc.mu.Lock()
	if e.k.proc.entries[e.name] == e {
		delete(e.k.proc.entries, e.name)
	}
	e.k.proc.mu.Unlock()

	e.mu.Lock()
	if e.removed {
		e.mu.Unlock()
		return
	}
	e.removed = true
	files := make([]*File, 0, len(e.files))
	for f := range e.files {
		files = append(files, f)
	}
	clear(e.files)
	e.mu.Unlock()

	for _, f := range files {
		f.mu.Lock() // waits for a handler running on f
		if f.state == fileOpen {
			f.state = fileGone
		}
		f.mu.Unlock()
	}
}

// ProcInfo describes one /proc entry, as a directory listing shows it.
type ProcInfo struct {
	Name string
	Mode fs.FileMode
}

// ProcList lists the entries under /proc, sorted by name.
func (k *Kernel) ProcList() []ProcInfo {
	k.proc.mu.RLock()
	defer k.proc.mu.RUnlock()
	out := make([]ProcInfo, 0, len(k.proc.entries))
	for _, e := range k.proc.entries {
		out = append(out, ProcInfo{Name: e.name, Mode: e.mode})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// File states.
const (
	fileOpen   = iota
	fileGone   // the entry was removed: reads and writes fail with EIO
	fileClosed // Close was called: everything fails with EBADF
)

// File is an open /proc file, the kernel's struct file. Its methods are safe
// for concurrent use; like the kernel's f_pos_lock, a per-file lock
// serialises calls on one File, so goroutines that want to run in parallel
// open files of their own.
type File struct {
	entry    *ProcEntry
	path     string
	readable bool
	writable bool

	// Private is for the entry's handlers, as file->private_data is.
	Private any

	// mu is held across every handler call on this file. It orders calls on
	// one File (the position is read and written by them), and it is how
	// ProcEntry.Remove waits for calls in flight.
	mu    sync.Mutex
	state int   // fileOpen, fileGone or fileClosed; guarded by mu
	pos   int64 // the file position; guarded by mu
	// preadOff is the offset of the ReadAt or WriteAt in progress. Handlers
	// take a pointer to the offset; pointing them at a field rather than at
	// a local keeps the local from escaping, so pread and pwrite do not
	// allocate. Guarded by mu.
	preadOff int64
	seq      []byte // Show's snapshot, taken at offset 0; guarded by mu
}

// Open opens a /proc file, as open(2) does. flag is os.O_RDONLY, os.O_WRONLY
// or os.O_RDWR, optionally with os.O_TRUNC, os.O_APPEND or os.O_CREATE, which
// a proc file ignores. A missing entry is ENOENT; asking for a permission the
// entry's mode lacks is EACCES.
func (k *Kernel) Open(name string, flag int) (*File, error) {
	e, err := k.lookup("open", name)
	if err != nil {
		return nil, err
	}
	if flag&(os.O_CREATE|os.O_EXCL) == os.O_CREATE|os.O_EXCL {
		// The entry exists, and the caller asked to create it: as through
		// FUSE, and as open(2) answers.
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EEXIST}
	}
	f := &File{entry: e, path: name}
	switch flag & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR) {
	case os.O_RDONLY:
		f.readable = true
	case os.O_WRONLY:
		f.writable = true
	case os.O_RDWR:
		f.readable, f.writable = true, true
	default:
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EINVAL}
	}
	if (f.readable && e.mode&0o444 == 0) || (f.writable && e.mode&0o222 == 0) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EACCES}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.removed {
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.ENOENT}
	}
	e.files[f] = struct{}{}
	return f, nil
}

// ReadFile opens name, reads it to the end and closes it, as os.ReadFile does.
func (k *Kernel) ReadFile(name string) ([]byte, error) {
	f, err := k.Open(name, os.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// WriteFile opens name for writing and writes data with one write, as a
// shell's `echo I > /proc/counter` does.
func (k *Kernel) WriteFile(name string, data []byte) error {
	f, err := k.Open(name, os.O_WRONLY|os.O_TRUNC)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// lookup finds the entry for an absolute /proc path.
func (k *Kernel) lookup(op, name string) (*ProcEntry, error) {
	rel, ok := strings.CutPrefix(path.Clean(name), "/proc/")
	if !ok || !path.IsAbs(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: syscall.ENOENT}
	}
	k.proc.mu.RLock()
	e := k.proc.entries[rel]
	k.proc.mu.RUnlock()
	if e == nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: syscall.ENOENT}
	}
	if strings.HasSuffix(name, "/") {
		// A proc entry is a file: "/proc/counter/" asks for a directory.
		return nil, &fs.PathError{Op: op, Path: name, Err: syscall.ENOTDIR}
	}
	return e, nil
}

// Name returns the path the file was opened with.
func (f *File) Name() string { return f.path }

// Read reads from the file position, as read(2) does, and returns io.EOF at
// the end of the data.
func (f *File) Read(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check("read", f.readable); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	n, err := f.read(p, &f.pos)
	if err != nil {
		return n, f.wrap("read", err)
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// ReadAt reads len(p) bytes at offset off, as pread(2) does in a loop, and
// does not move the file position. Like every io.ReaderAt it returns io.EOF
// when it reads fewer than len(p) bytes because the data ended.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, &fs.PathError{Op: "pread", Path: f.path, Err: syscall.EINVAL}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check("pread", f.readable); err != nil {
		return 0, err
	}
	f.preadOff = off
	total := 0
	for total < len(p) {
		n, err := f.read(p[total:], &f.preadOff)
		total += n
		if err != nil {
			return total, f.wrap("pread", err)
		}
		if n == 0 {
			return total, io.EOF
		}
	}
	return total, nil
}

// read runs the entry's read side at *off. Called with f.mu held.
func (f *File) read(p []byte, off *int64) (int, error) {
	ops := &f.entry.ops
	if ops.Read != nil {
		return ops.Read(f, p, off)
	}
	if *off == 0 || f.seq == nil {
		f.seq = ops.Show(f.seq[:0])
	}
	return SimpleReadFromBuffer(p, off, f.seq)
}

// Write writes p at the file position with one call of the entry's write
// handler, as write(2) does. An empty p is not passed to the handler.
func (f *File) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.write("write", p, &f.pos)
}

// WriteAt writes p at offset off, as pwrite(2) does, without moving the file
// position.
func (f *File) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, &fs.PathError{Op: "pwrite", Path: f.path, Err: syscall.EINVAL}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.preadOff = off
	return f.write("pwrite", p, &f.preadOff)
}

// write runs the entry's write handler. Called with f.mu held.
func (f *File) write(op string, p []byte, off *int64) (int, error) {
	if err := f.check(op, f.writable); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	n, err := f.entry.ops.Write(f, p, off)
	if err != nil {
		return n, f.wrap(op, err)
	}
	if n < 0 || n > len(p) {
		return 0, f.wrap(op, syscall.EIO) // a handler bug; never report more than was given
	}
	return n, nil
}

// Seek sets the file position, as lseek(2) does. A proc file has size 0, so
// io.SeekEnd is relative to 0. A negative result is EINVAL.
func (f *File) Seek(offset int64, whence int) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check("seek", true); err != nil {
		return 0, err
	}
	switch whence {
	case io.SeekStart, io.SeekEnd:
	case io.SeekCurrent:
		offset += f.pos
	default:
		return 0, &fs.PathError{Op: "seek", Path: f.path, Err: syscall.EINVAL}
	}
	if offset < 0 {
		return 0, &fs.PathError{Op: "seek", Path: f.path, Err: syscall.EINVAL}
	}
	f.pos = offset
	return offset, nil
}

// Close closes the file. Closing twice is EBADF; closing a file whose entry
// was removed succeeds.
func (f *File) Close() error {
	f.mu.Lock()
	if f.state == fileClosed {
		f.mu.Unlock()
		return &fs.PathError{Op: "close", Path: f.path, Err: syscall.EBADF}
	}
	f.state = fileClosed
	f.seq = nil
	f.mu.Unlock()

	e := f.entry
	e.mu.Lock()
	delete(e.files, f)
	e.mu.Unlock()
	return nil
}

// check returns the error for an operation on f in its current state; allowed
// says whether the file's access mode permits the operation. Called with f.mu
// held.
func (f *File) check(op string, allowed bool) error {
	switch {
	case f.state == fileClosed:
		return &fs.PathError{Op: op, Path: f.path, Err: syscall.EBADF}
	case !allowed:
		return &fs.PathError{Op: op, Path: f.path, Err: syscall.EBADF}
	case f.state == fileGone:
		return &fs.PathError{Op: op, Path: f.path, Err: syscall.EIO}
	}
	return nil
}

func (f *File) wrap(op string, err error) error {
	return &fs.PathError{Op: op, Path: f.path, Err: err}
}

// SimpleReadFromBuffer copies data at *off into buf and advances *off, as
// the kernel's simple_read_from_buffer does: the building block of a
// correct .proc_read, which returns 0 once *off reaches the end.
func SimpleReadFromBuffer(buf []byte, off *int64, data []byte) (int, error) {
	if *off < 0 {
		return 0, syscall.EINVAL
	}
	if *off >= int64(len(data)) {
		return 0, nil
	}
	n := copy(buf, data[*off:])
	*off += int64(n)
	return n, nil
}
