//go:build !linux

package heapwarm

import "time"

func adviseHuge([]byte) {}

func threadCPUTime() time.Duration { return 0 }
