package main

import (
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

const hugePage = 2 << 20

// write maps n bytes of fresh memory, writes a byte to each 4 KiB page of
// it (in huge pages where huge), and unmaps it; it returns the time the
// writes took and, in huge pages, the longest any one took.
func write(n int, huge bool) (total, slowestPage time.Duration, err error) {
	m, err := unix.Mmap(-1, 0, n+hugePage, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return 0, 0, fmt.Errorf("mapping %d bytes: %w", n+hugePage, err)
	}
	defer unix.Munmap(m)
	advice := unix.MADV_NOHUGEPAGE
	if huge {
		advice = unix.MADV_HUGEPAGE
	}
	if err := unix.Madvise(m, advice); err != nil {
		return 0, 0, fmt.Errorf("advising the memory: %w", err)
	}
	// from the first huge page boundary in the mapping, so that each huge
	// page is written whole
	from := 0
	if huge {
		from = alignment(m)
	}
	b := m[from : from+n]
	begin := time.Now()
	for p := 0; p < n; p += hugePage {
		start := time.Now()
		for i := p; i < min(p+hugePage, n); i += 4096 {
			b[i] = 1
		}
		slowestPage = max(slowestPage, time.Since(start))
	}
	return time.Since(begin), slowestPage, nil
}

// alignment is how far into m its first huge page boundary is.
func alignment(m []byte) int {
	p := uintptr(unsafe.Pointer(unsafe.SliceData(m)))
	return int((hugePage - p%hugePage) % hugePage)
}
