// Package registry is the one shape of lockbench's registries (lock
// strategies, kernel modules, bench paths, counter guards): values
// registered by name from init functions, looked up by name and listed in
// name order. MustAdd applies the shared rules (a name is not empty, holds
// none of the package's forbidden characters, and is not taken) with the
// registering package's messages.
package registry

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Registry maps names to values. The zero value is empty and ready to use;
// it is safe for concurrent use.
type Registry[T any] struct {
	mu     sync.RWMutex
	values map[string]T // guarded by mu
}

// Add registers v under name and reports whether it did: false, and
// nothing changes, when the name is taken.
func (r *Registry[T]) Add(name string, v T) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.values[name]; dup {
		return false
	}
	if r.values == nil {
		r.values = make(map[string]T)
	}
	r.values[name] = v
	return true
}

// MustAdd registers v under name, from an init function, and panics on a
// name that is empty or holds one of the characters in forbidden ("who:
// invalid name ...") or that is taken ("who called twice for name"). who
// names the registering function, "locks: Register", and kind, if not
// empty, what is registered: "kernel: Register called twice for module
// counter".
func (r *Registry[T]) MustAdd(who, kind, name, forbidden string, v T) {
	if kind != "" {
		kind += " "
	}
	if name == "" || strings.ContainsAny(name, forbidden) {
		panic(fmt.Sprintf("%s: invalid %sname %q", who, kind, name))
	}
	if !r.Add(name, v) {
		panic(who + " called twice for " + kind + name)
	}
}

// Lookup returns the value registered under name.
func (r *Registry[T]) Lookup(name string) (T, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	v, ok := r.values[name]
	return v, ok
}

// Names returns the registered names, sorted.
func (r *Registry[T]) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.namesLocked()
}

// All returns the registered values in the order of their names.
func (r *Registry[T]) All() []T {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]T, 0, len(r.values))
	for _, name := range r.namesLocked() {
		out = append(out, r.values[name])
	}
	return out
}

func (r *Registry[T]) namesLocked() []string {
	names := make([]string, 0, len(r.values))
	for name := range r.values {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
