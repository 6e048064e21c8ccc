package kernel

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/lockbench/lockbench/internal/quote"
	"github.com/lockbench/lockbench/internal/registry"
)

// Module describes a loadable module: what its .ko file, its module_param
// declarations and its module_init function say. Modules call [Register]
// from init.
type Module struct {
	Name        string  // as insmod and lsmod name it; no spaces, '/' or '='
	Description string  // MODULE_DESCRIPTION
	Size        int     // bytes, as lsmod shows it; 0 means 16384
	Params      []Param // module_param declarations

	// Init is module_init: it runs in Insmod with the parameters parsed and
	// checked, creates the module's proc entries through m, and returns the
	// module_exit function that Rmmod will run. A failing Init returns an
	// error wrapping a syscall.Errno (an error without one is reported as
	// EINVAL); whatever it created is then removed. Init and exit run with
	// the module mutex held and must not call Insmod or Rmmod.
	Init func(m *Instance) (exit func(), err error)
}

// ParamType is a module parameter's type, as module_param's type argument.
type ParamType int

// Parameter types.
const (
	ParamString ParamType = iota // charp
	ParamInt                     // long: decimal, 0x hex or 0 octal
	ParamBool                    // bool: y/n, Y/N, 1/0, on/off, true/false; a bare name means true
)

// Param declares one module parameter.
type Param struct {
	Name    string
	Type    ParamType
	Default string // used when insmod does not set it; must itself be valid
	Desc    string // MODULE_PARM_DESC
	// Parse, if set, turns a value into what Instance.Value returns,
	// checking it beyond its type, as a kernel_param_ops .set function
	// does; its error message is printk'd and insmod fails with EINVAL. A
	// module thus reads its parameters typed, parsed once at insmod.
	Parse func(value string) (any, error)
}

var moduleRegistry registry.Registry[Module]

// Register makes a module available to every kernel's Insmod. It is meant to
// be called from init and panics on a duplicate or invalid name, a nil Init,
// or an invalid parameter declaration.
func Register(m Module) {
	if m.Init == nil {
		panic("kernel: Register: nil Init for module " + m.Name)
	}
	seen := make(map[string]bool)
	for _, p := range m.Params {
		if p.Name == "" || strings.ContainsAny(p.Name, " \t\n=") || seen[p.Name] {
			panic(fmt.Sprintf("kernel: Register: module %s: invalid or duplicate parameter %q", m.Name, p.Name))
		}
		seen[p.Name] = true
		if _, err := p.parse(p.Default); err != nil {
			panic(fmt.Sprintf("kernel: Register: module %s: default of %s: %v", m.Name, p.Name, err))
		}
	}
	if m.Size == 0 {
		m.Size = 16384
	}
	m.Params = slices.Clone(m.Params)
	moduleRegistry.MustAdd("kernel: Register", "module", m.Name, " \t\n/=", m)
}

// Modules returns every registered module, sorted by name (what modinfo
// would tell about each .ko on disk).
func Modules() []Module { return moduleRegistry.All() }

func findModule(name string) (Module, bool) { return moduleRegistry.Lookup(name) }

// Module states, as /proc/modules shows them.
const (
	stateLoading   = iota // "Loading": init is running
	stateLive             // "Live"
	stateUnloading        // "Unloading": exit is running
)

var stateNames = [...]string{"Loading", "Live", "Unloading"}

// Instance is a module loaded into one Kernel, the kernel's struct module
// (THIS_MODULE). Init receives it to read parameters, printk and create proc
// entries.
type Instance struct {
	k      *Kernel
	mod    Module
	params map[string]string // every declared parameter's value; read-only after Insmod
	values map[string]any    // the same, parsed (see Value); read-only after Insmod
	addr   uint64
	exit   func()

	state atomic.Int32 // stateLoading, stateLive or stateUnloading
	refs  atomic.Int64 // try_module_get references

	mu          sync.Mutex
	entries     []*ProcEntry // created through ProcCreate; guarded by mu
	lockClasses []*LockClass // registered through RegisterLockClass; guarded by mu
}

// Kernel returns the kernel the module is loaded into.
func (m *Instance) Kernel() *Kernel { return m.k }

// Name returns the module's name.
func (m *Instance) Name() string { return m.mod.Name }

// Param returns a parameter's value: the one given to insmod or the default.
// It panics if the module did not declare the parameter, a bug in the module.
func (m *Instance) Param(name string) string {
	v, ok := m.params[name]
	if !ok {
		panic(fmt.Sprintf("kernel: module %s has no parameter %q", m.mod.Name, name))
	}
	return v
}

// Value returns a parameter's parsed value: what its Parse returned, or an
// int64, a bool or a string by its type. It panics if the module did not
// declare the parameter, a bug in the module.
func (m *Instance) Value(name string) any {
	v, ok := m.values[name]
	if !ok {
		panic(fmt.Sprintf("kernel: module %s has no parameter %q", m.mod.Name, name))
	}
	return v
}

// ParamInt returns an int parameter's value, already checked by Insmod.
func (m *Instance) ParamInt(name string) int64 {
	n, err := strconv.ParseInt(m.Param(name), 0, 64)
	if err != nil {
		panic(fmt.Sprintf("kernel: module %s: parameter %s is not an int", m.mod.Name, name))
	}
	return n
}

// ParamBool returns a bool parameter's value, already checked by Insmod.
func (m *Instance) ParamBool(name string) bool {
	b, err := parseBool(m.Param(name))
	if err != nil {
		panic(fmt.Sprintf("kernel: module %s: parameter %s is not a bool", m.mod.Name, name))
	}
	return b
}

// Printk logs a record prefixed with the module's name, as pr_info and its
// siblings do with KBUILD_MODNAME ": ".
func (m *Instance) Printk(level Level, format string, args ...any) {
	m.k.Printk(level, m.mod.Name+": "+format, args...)
}

// ProcCreate creates a proc entry owned by the module (see
// [Kernel.ProcCreate]). The module's exit should remove it; Rmmod removes any
// the module forgot, and a failing Init leaves none behind.
func (m *Instance) ProcCreate(name string, mode fs.FileMode, ops ProcOps) (*ProcEntry, error) {
	e, err := m.k.ProcCreate(name, mode, ops)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.entries = append(m.entries, e)
	m.mu.Unlock()
	return e, nil
}

func (m *Instance) removeEntries() {
	m.mu.Lock()
	entries := m.entries
	m.entries = nil
	m.mu.Unlock()
	for _, e := range entries {
		e.Remove()
	}
}

// ModuleError is the error of a failed Insmod or Rmmod. It wraps a
// syscall.Errno.
type ModuleError struct {
	Op     string // "insmod" or "rmmod"
	Module string
	Reason string // why, in words; may be empty
	Err    error  // a syscall.Errno, or an error wrapping one
}

func (e *ModuleError) Error() string {
	if e.Reason == "" {
		return e.Op + " " + e.Module + ": " + e.Err.Error()
	}
	return e.Op + " " + e.Module + ": " + e.Reason + ": " + e.Err.Error()
}

func (e *ModuleError) Unwrap() error { return e.Err }

// Insmod loads a registered module and runs its init, as insmod does.
// params are key=value words ("lock=ticket", "verbose=1"), given as separate
// arguments or space-separated in one. An unknown module is ENOENT, a loaded
// one EEXIST; an unknown parameter or a bad value is EINVAL with a printk
// saying why. If init fails, nothing of the module is left behind.
func (k *Kernel) Insmod(name string, params ...string) error {
	k.moduleMutex.Lock()
	defer k.moduleMutex.Unlock()

	mod, ok := findModule(name)
	if !ok {
		return &ModuleError{Op: "insmod", Module: name, Reason: "no such module", Err: syscall.ENOENT}
	}
	if k.findLoaded(name) != nil {
		return &ModuleError{Op: "insmod", Module: name, Reason: "module already loaded", Err: syscall.EEXIST}
	}
	strs, values, err := parseParams(mod, strings.Fields(strings.Join(params, " ")))
	if err != nil {
		k.Printk(KernErr, "%s: %s", name, err)
		return &ModuleError{Op: "insmod", Module: name, Reason: err.Error(), Err: syscall.EINVAL}
	}

	m := &Instance{k: k, mod: mod, params: strs, values: values, addr: k.nextAddr}
	k.nextAddr += uint64(mod.Size+0xfff) &^ 0xfff
	m.state.Store(stateLoading)
	k.modulesMu.Lock()
	k.modules = append([]*Instance{m}, k.modules...)
	k.modulesMu.Unlock()

	exit, err := mod.Init(m)
	if err != nil {
		m.removeEntries()
		m.removeLockClasses()
		k.unlist(m)
		var errno syscall.Errno
		if !errors.As(err, &errno) {
			err = fmt.Errorf("%w (%v)", syscall.EINVAL, err)
		}
		return &ModuleError{Op: "insmod", Module: name, Reason: "init failed", Err: err}
	}
	m.exit = exit
	m.state.Store(stateLive)
	return nil
}

// Rmmod runs a loaded module's exit and unloads it, as rmmod does. A module
// that is not loaded is ENOENT; one with references (see TryModuleGet) is
// EBUSY. Proc entries the module created are gone when Rmmod returns, and no
// handler of theirs is running.
func (k *Kernel) Rmmod(name string) error {
	k.moduleMutex.Lock()
	defer k.moduleMutex.Unlock()

	m := k.findLoaded(name)
	if m == nil {
		return &ModuleError{Op: "rmmod", Module: name, Reason: "module not loaded", Err: syscall.ENOENT}
	}
	// Dekker-style with TryModuleGet's increment-then-check: either it sees
	// Unloading or we see its reference (Go's atomics are sequentially
	// consistent).
	m.state.Store(stateUnloading)
	if refs := m.refs.Load(); refs != 0 {
		m.state.Store(stateLive)
		return &ModuleError{Op: "rmmod", Module: name,
			Reason: fmt.Sprintf("module is in use (%d references)", refs), Err: syscall.EBUSY}
	}
	if m.exit != nil {
		m.exit()
	}
	m.removeEntries()
	m.removeLockClasses()
	k.unlist(m)
	return nil
}

// TryModuleGet takes a reference on a loaded module, as try_module_get does:
// Rmmod fails with EBUSY until put is called. It fails with ENOENT if the
// module is not loaded or is unloading. put must be called exactly once.
func (k *Kernel) TryModuleGet(name string) (put func(), err error) {
	k.modulesMu.RLock()
	m := k.findLoadedLocked(name)
	k.modulesMu.RUnlock()
	if m != nil {
		m.refs.Add(1)
		if m.state.Load() == stateLive {
			var once sync.Once
			return func() { once.Do(func() { m.refs.Add(-1) }) }, nil
		}
		m.refs.Add(-1)
	}
	return nil, &ModuleError{Op: "try_module_get", Module: name, Reason: "module not live", Err: syscall.ENOENT}
}

func (k *Kernel) findLoaded(name string) *Instance {
	k.modulesMu.RLock()
	defer k.modulesMu.RUnlock()
	return k.findLoadedLocked(name)
}

func (k *Kernel) findLoadedLocked(name string) *Instance {
	for _, m := range k.modules {
		if m.mod.Name == name {
			return m
		}
	}
	return nil
}

func (k *Kernel) unlist(m *Instance) {
	k.modulesMu.Lock()
	defer k.modulesMu.Unlock()
	k.modules = slices.DeleteFunc(k.modules, func(x *Instance) bool { return x == m })
}

// ModuleInfo describes a loaded module, as a line of /proc/modules does.
type ModuleInfo struct {
	Name   string
	Size   int
	Refcnt int64
	State  string // "Loading", "Live" or "Unloading"
	Addr   uint64
	Params map[string]string // every parameter's value
}

// String renders m as its line of /proc/modules:
// "counter 16384 0 - Live 0xffffffffc0a00000".
func (m ModuleInfo) String() string {
	return fmt.Sprintf("%s %d %d - %s 0x%016x", m.Name, m.Size, m.Refcnt, m.State, m.Addr)
}

// Lsmod lists the loaded modules, newest first, as /proc/modules does.
func (k *Kernel) Lsmod() []ModuleInfo {
	k.modulesMu.RLock()
	defer k.modulesMu.RUnlock()
	out := make([]ModuleInfo, 0, len(k.modules))
	for _, m := range k.modules {
		out = append(out, ModuleInfo{
			Name:   m.mod.Name,
			Size:   m.mod.Size,
			Refcnt: m.refs.Load(),
			State:  stateNames[m.state.Load()],
			Addr:   m.addr,
			Params: maps.Clone(m.params),
		})
	}
	return out
}

// showModules is /proc/modules' Show.
func (k *Kernel) showModules(buf []byte) []byte {
	for _, m := range k.Lsmod() {
		buf = append(buf, m.String()...)
		buf = append(buf, '\n')
	}
	return buf
}

// firstModuleAddr is where the first module loads, in the x86-64 module area.
const firstModuleAddr = 0xffffffffc0000000

// parseParams checks insmod's key=value words against the module's
// declarations and returns every parameter's value, defaults filled in, as
// given and parsed.
func parseParams(mod Module, words []string) (map[string]string, map[string]any, error) {
	strs := make(map[string]string, len(mod.Params))
	values := make(map[string]any, len(mod.Params))
	decl := make(map[string]Param, len(mod.Params))
	for _, p := range mod.Params {
		strs[p.Name] = p.Default
		decl[p.Name] = p
	}
	for _, w := range words {
		key, value, hasValue := strings.Cut(w, "=")
		p, ok := decl[key]
		if !ok {
			return nil, nil, fmt.Errorf("unknown parameter '%s'", quote.Short(key))
		}
		if !hasValue {
			if p.Type != ParamBool {
				return nil, nil, fmt.Errorf("parameter '%s' needs a value", key)
			}
			value = "1"
		}
		v, err := p.parse(value)
		if err != nil {
			return nil, nil, fmt.Errorf("'%s' invalid for parameter '%s': %v", quote.Short(value), key, err)
		}
		strs[key], values[key] = value, v // the last of repeated settings wins, as in the kernel
	}
	for _, p := range mod.Params {
		if _, given := values[p.Name]; given {
			continue
		}
		v, err := p.parse(p.Default) // checked at Register; parsed once here
		if err != nil {
			return nil, nil, fmt.Errorf("default '%s' of parameter '%s' is no longer valid: %v", quote.Short(p.Default), p.Name, err)
		}
		values[p.Name] = v
	}
	return strs, values, nil
}

// parse checks a value against the parameter's type and Parse, and
// returns it parsed.
func (p Param) parse(value string) (any, error) {
	var v any = value
	switch p.Type {
	case ParamInt:
		n, err := strconv.ParseInt(value, 0, 64)
		if err != nil {
			return nil, errors.New("not an integer")
		}
		v = n
	case ParamBool:
		b, err := parseBool(value)
		if err != nil {
			return nil, err
		}
		v = b
	}
	if p.Parse != nil {
		return p.Parse(value)
	}
	return v, nil
}

// parseBool accepts what the kernel's kstrtobool accepts.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "1", "y", "yes", "on", "true":
		return true, nil
	case "0", "n", "no", "off", "false":
		return false, nil
	}
	return false, errors.New("not a boolean (use 1/0, y/n, on/off)")
}
