// Command freshmem times how long this machine takes to give a process
// fresh memory: it writes to new anonymous memory a page at a time, in
// 4 KiB pages and in 2 MiB huge pages (asked for with MADV_HUGEPAGE), and
// prints the median and the slowest of some runs. A one-shot `telx trace`
// fills some 20 MB after its first answer begins, and warms memory while it
// waits (internal/heapwarm), so its times follow these; test/bench-trace.sh
// prints them before and after its rounds.
//
//	go run ./test/cmd/freshmem [-mib 32] [-runs 5]
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

func main() {
	mib := flag.Int("mib", 32, "MiB written in each run")
	runs := flag.Int("runs", 5, "runs of each page size")
	flag.Parse()
	if *mib < 2 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "freshmem: want -mib 2 or more and -runs 1 or more")
		os.Exit(2)
	}
	var small, huge, slowestPage []time.Duration
	for range *runs {
		d, _, err := write(*mib<<20, false)
		if err != nil {
			fmt.Fprintln(os.Stderr, "freshmem:", err)
			os.Exit(1)
		}
		small = append(small, d)
		d, page, err := write(*mib<<20, true)
		if err != nil {
			fmt.Fprintln(os.Stderr, "freshmem:", err)
			os.Exit(1)
		}
		huge, slowestPage = append(huge, d), append(slowestPage, page)
	}
	fmt.Printf("fresh memory, %d MiB written (median of %d runs, slowest in brackets):\n", *mib, *runs)
	fmt.Printf("  in 4 KiB pages: %s\n", summary(small))
	fmt.Printf("  in 2 MiB pages: %s; slowest huge page %s\n", summary(huge), ms(slices.Max(slowestPage)))
	if b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled"); err == nil {
		fmt.Printf("  transparent huge pages: %s\n", strings.TrimSpace(string(b)))
	}
}

// summary is the median of ds and, in brackets, the slowest.
func summary(ds []time.Duration) string {
	s := slices.Clone(ds)
	slices.Sort(s)
	return fmt.Sprintf("%s (%s)", ms(s[(len(s)-1)/2]), ms(s[len(s)-1]))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
