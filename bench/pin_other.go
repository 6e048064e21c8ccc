//go:build !linux

package bench

import "errors"

func pinThread(int) error { return errors.New("bench: pinning threads to CPUs needs Linux") }

func usableCPUs() []int { return nil }
