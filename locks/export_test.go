package locks

// TailToken exposes fifoProbe to the external conformance tests: it reports
// a value that changes with every arrival at l, and whether l is a FIFO lock
// that can report one.
func TailToken(l Lock) (uint64, bool) {
	p, ok := l.(fifoProbe)
	if !ok {
		return 0, false
	}
	return p.tailToken(), true
}

// TimeEveryWait makes the statistics time every contended acquisition's
// wait, rather than one in WaitSampleEvery, until the returned function
// restores the rate.
func TimeEveryWait() (restore func()) {
	waitSampleEvery = 1
	return func() { waitSampleEvery = WaitSampleEvery }
}
