package cmd

import (
	"io"
	"os"
	"strconv"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"golang.org/x/term"
)

// DefaultWidth is the width used when the output is not a terminal and
// COLUMNS is not set.
const DefaultWidth = 80

// IO is where a command reads and writes. Commands never touch os.Stdout
// directly, so tests can capture everything they print.
type IO struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// IsTTY tells whether Out is a terminal: colour, headers and progress
	// are for people; piped output is plain and stable for scripts.
	IsTTY bool
	// Width is the terminal's width in columns (or COLUMNS, or 80).
	Width int
	// Profile is the colour profile of Out: Ascii or NoTTY mean no colour.
	Profile colorprofile.Profile
}

// SystemIO returns an IO bound to the process's standard streams.
func SystemIO() *IO {
	tty := term.IsTerminal(int(os.Stdout.Fd()))
	return &IO{
		In:     os.Stdin,
		Out:    os.Stdout,
		ErrOut: os.Stderr,
		IsTTY:  tty,
		Width:  terminalWidth(tty),
		// Lip Gloss detected stdout's profile while it initialised (its
		// Writer): asking again would cost a second `tmux info` process
		// under tmux, tens of milliseconds at every start.
		Profile: lipgloss.Writer.Profile,
	}
}

// TestIO returns an IO that writes into the given writers, as a pipe (no
// TTY, no colour, 80 columns). Tests adjust the fields they care about.
func TestIO(out, errOut io.Writer) *IO {
	return &IO{
		In:      eofReader{},
		Out:     out,
		ErrOut:  errOut,
		Width:   DefaultWidth,
		Profile: colorprofile.NoTTY,
	}
}

// ColorEnabled tells whether output may carry colour escape sequences.
func (s *IO) ColorEnabled() bool {
	return s.Profile > colorprofile.Ascii
}

// DisableColor turns colour off, as --no-color asks.
func (s *IO) DisableColor() {
	if s.Profile > colorprofile.Ascii {
		s.Profile = colorprofile.Ascii
	}
}

func terminalWidth(tty bool) int {
	if tty {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
			return w
		}
	}
	if w, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && w > 0 {
		return w
	}
	return DefaultWidth
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
