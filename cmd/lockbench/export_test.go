package main

import "github.com/lockbench/lockbench/torture"

func tortureResult(writes ...uint64) torture.Result {
	return torture.Result{Writes: writes}
}
