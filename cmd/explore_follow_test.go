package cmd

import (
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
)

func TestExploreMaxLines(t *testing.T) {
	for _, args := range [][]string{{"demo", "--max-lines", "-1"}, {"explore", "--demo", "--max-lines", "-5", "--follow"}} {
		code, _, errOut := runIn(t, 80, colorprofile.NoTTY, "", noBackends, args...)
		if code != ExitUsage || !strings.Contains(errOut, "--max-lines must be positive") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}
