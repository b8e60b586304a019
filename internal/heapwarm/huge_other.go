//go:build !linux

package heapwarm

func adviseHuge([]byte) {}
