// Package hello is the tutorial's first module: /proc/helloworlddriver
// (read-only) returns "Hello world!\n". Unlike the tutorial's snippet, its
// read handler honours the offset, so a reader that reads one byte at a time
// gets the whole greeting, and then the end of the file.
//
//	import _ "github.com/lockbench/lockbench/hello"
//
//	k.Insmod("hello")
//	b, err := k.ReadFile("/proc/helloworlddriver")
package hello

import "github.com/lockbench/lockbench/kernel"

// Greeting is what /proc/helloworlddriver returns.
const Greeting = "Hello world!\n"

var greeting = []byte(Greeting)

func init() {
	kernel.Register(kernel.Module{
		Name:        "hello",
		Description: "the tutorial's hello world: cat /proc/helloworlddriver",
		Init:        load,
	})
}

func load(m *kernel.Instance) (exit func(), err error) {
	entry, err := m.ProcCreate("helloworlddriver", 0o444, kernel.ProcOps{
		Read: func(_ *kernel.File, buf []byte, off *int64) (int, error) {
			if *off == 0 {
				m.Printk(kernel.KernDebug, "calling our very own custom read method.")
			}
			return kernel.SimpleReadFromBuffer(buf, off, greeting)
		},
	})
	if err != nil {
		m.Printk(kernel.KernErr, "Failed to create proc entry: %v", err)
		return nil, err
	}
	m.Printk(kernel.KernInfo, "Hello world driver loaded.")
	return func() {
		entry.Remove()
		m.Printk(kernel.KernInfo, "Goodbye my friend, I shall miss you dearly...")
	}, nil
}
