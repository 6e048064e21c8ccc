// Package locktest holds the concurrent loops that lockbench's lock and
// counter tests share.
package locktest

import "sync"

// Run calls op n times from each of g goroutines at once and returns when
// all are done.
func Run(g, n int, op func()) {
	var wg sync.WaitGroup
	for range g {
		wg.Go(func() {
			for range n {
				op()
			}
		})
	}
	wg.Wait()
}

// Hammer has g goroutines take l n times each and increment a plain int
// while they hold it, and returns the int: g*n exactly if l excludes, and
// under -race the detector checks that each Unlock happens before the next
// Lock returns.
func Hammer(l sync.Locker, g, n int) int {
	counter := 0
	Run(g, n, func() {
		l.Lock()
		counter++
		l.Unlock()
	})
	return counter
}
