package cmd

import (
	"bytes"
	"testing"

	"github.com/charmbracelet/colorprofile"
)

// Output cut anywhere, as a full buffer cuts it, is downsampled as it is
// in one write: no escape sequence goes out in two parts, not downsampled.
func TestColorWriterKeepsSequencesWhole(t *testing.T) {
	text := []byte("\x1b[38;2;63;166;122mcheckout\x1b[m LoadOrderBatch \x1b[1;38;2;245;180;0m◆\x1b[m \x1b[38;5;246m├╴\x1b[m" +
		"\x1b]8;;http://127.0.0.1/trace\x07link\x1b]8;;\x07 \x1b]8;;x\x1b\\ST\x1b]8;;\x1b\\ ok\x1b7\x1b8 1.24ms\n")
	for _, profile := range []colorprofile.Profile{colorprofile.ANSI, colorprofile.ANSI256, colorprofile.Ascii} {
		var want bytes.Buffer
		(&colorprofile.Writer{Forward: &want, Profile: profile}).Write(text)
		if bytes.Contains(want.Bytes(), []byte("38;2;")) {
			t.Fatalf("profile %v: true colour in one write: the test's text is not downsampled", profile)
		}
		for cut := range len(text) + 1 {
			for _, second := range []int{cut, (cut + len(text)) / 2} {
				var got bytes.Buffer
				w := &wholeSequences{w: &colorprofile.Writer{Forward: &got, Profile: profile}}
				for _, part := range [][]byte{text[:cut], text[cut:second], text[second:]} {
					if n, err := w.Write(part); err != nil || n != len(part) {
						t.Fatalf("Write: %d, %v", n, err)
					}
				}
				if got.String() != want.String() {
					t.Fatalf("profile %v, cut at %d and %d:\n got %q\nwant %q", profile, cut, second, got.String(), want.String())
				}
			}
		}
	}
}
