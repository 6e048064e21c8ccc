// Package kernel is lockbench's small simulated kernel: the services the
// tutorial's modules use, with the kernel's semantics and vocabulary.
//
//   - procfs: entries with proc_ops-style read and write handlers that receive
//     the user's buffer and the file offset; [Kernel.Open] returns a [File]
//     that behaves like an open /proc file.
//   - printk: a fixed-size ring buffer of leveled, timestamped, sequenced
//     records, read by [Kernel.Dmesg].
//   - the module table: [Kernel.Insmod], [Kernel.Rmmod], [Kernel.Lsmod] and
//     /proc/modules, with parameters and reference counts.
//
// Modules register themselves from init with [Register], as database/sql
// drivers do, so a program imports the modules it wants:
//
//	import _ "github.com/lockbench/lockbench/counter"
//
//	k := kernel.New()
//	err := k.Insmod("counter", "lock=ticket")
//	f, err := k.Open("/proc/counter", os.O_RDWR)
//	n, err := f.Write([]byte("I\n"))
//
// Every error is, or wraps, a [syscall.Errno], so errors.Is(err,
// syscall.EINVAL) works here, through a FUSE mount and against a real kernel.
//
// Each Kernel is independent: two kernels in one process share the module
// registry (the "disk") but nothing loaded.
package kernel

import (
	"sync"
	"time"
)

// Kernel is one simulated kernel. Create it with [New]; its methods are safe
// for concurrent use.
type Kernel struct {
	sinceBoot func() time.Duration

	log  logBuffer
	proc procfs

	// moduleMutex serialises Insmod and Rmmod, as the kernel's module_mutex
	// does; it is held while a module's init and exit run.
	moduleMutex sync.Mutex
	// modules lists the loaded modules, newest first as /proc/modules does.
	// Guarded by modulesMu, which readers take without waiting for a load.
	modulesMu sync.RWMutex
	modules   []*Instance
	// nextAddr is the load address of the next module; guarded by moduleMutex.
	nextAddr uint64

	// lockStat holds /proc/lock_stat's classes; guarded by lockStatMu.
	lockStatMu sync.Mutex
	lockStat   lockClasses
}

// Option configures a Kernel.
type Option func(*Kernel)

// DefaultLogRecords is the printk ring buffer's size, in records, unless
// [WithLogBuffer] says otherwise.
const DefaultLogRecords = 4096

// WithLogBuffer sets the printk ring buffer's size in records (log_buf_len).
func WithLogBuffer(records int) Option {
	return func(k *Kernel) { k.log.init(records) }
}

// WithClock replaces the clock that stamps printk records with the time
// since boot; tests use it for reproducible dmesg output.
func WithClock(sinceBoot func() time.Duration) Option {
	return func(k *Kernel) { k.sinceBoot = sinceBoot }
}

// New boots a fresh kernel: no module loaded, /proc/modules present.
func New(opts ...Option) *Kernel {
	boot := time.Now()
	k := &Kernel{
		sinceBoot: func() time.Duration { return time.Since(boot) },
		nextAddr:  firstModuleAddr,
	}
	k.log.init(DefaultLogRecords)
	k.proc.entries = make(map[string]*ProcEntry)
	for _, o := range opts {
		o(k)
	}
	if _, err := k.ProcCreate("modules", 0o444, ProcOps{Show: k.showModules}); err != nil {
		panic("kernel: creating /proc/modules: " + err.Error())
	}
	if _, err := k.ProcCreate("kmsg", 0o444, ProcOps{Show: k.showDmesg}); err != nil {
		panic("kernel: creating /proc/kmsg: " + err.Error())
	}
	if _, err := k.ProcCreate(lockStatName, 0o600, ProcOps{Show: k.showLockStat, Write: k.writeLockStat}); err != nil {
		panic("kernel: creating /proc/lock_stat: " + err.Error())
	}
	k.Printk(KernNotice, "Linux version lockbench (simulated kernel)")
	return k
}
