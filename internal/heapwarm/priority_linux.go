package heapwarm

import "syscall"

// lowerPriority gives the calling thread (locked to its goroutine) the
// lowest priority.
func lowerPriority() {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 19)
}
