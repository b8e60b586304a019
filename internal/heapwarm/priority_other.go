//go:build !linux

package heapwarm

func lowerPriority() {}
