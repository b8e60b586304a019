package heapwarm

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// hugeInUse is how much of the process's memory is in huge pages.
func hugeInUse(t *testing.T) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps_rollup")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "AnonHugePages:"); ok {
			var kb int
			if _, err := fmt.Sscanf(v, "%d", &kb); err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no AnonHugePages in /proc/self/smaps_rollup")
	return 0
}

// Memory advised, then written, is in huge pages where the system gives
// them on advice. It is looked at in a process of its own, whose heap has
// not been written yet (in this one, earlier tests' warming may have
// written the memory the block gets).
func TestAdvisedMemoryIsInHugePages(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !strings.Contains(string(mode), "[madvise]") {
		t.Skipf("transparent huge pages are not given on advice here (%q, %v)", mode, err)
	}
	if os.Getenv("HEAPWARM_FRESH") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestAdvisedMemoryIsInHugePages$", "-test.count=1")
		cmd.Env = append(os.Environ(), "HEAPWARM_FRESH=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		return
	}
	b := make([]byte, 4*hugePage)
	before := hugeInUse(t)
	adviseHuge(b)
	for i := 0; i < len(b); i += os.Getpagesize() {
		b[i] = 1
	}
	// the block holds three whole huge pages at least, whatever its start
	if got := hugeInUse(t) - before; got < 3*hugePage {
		t.Errorf("%d KiB more in huge pages once written, want %d at least", got>>10, 3*hugePage>>10)
	}
}
