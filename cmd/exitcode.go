package cmd

import (
	"errors"

	"github.com/telx-cli/telx/sources"
)

// Exit codes. Scripts may rely on them; docs/commands.md lists them.
const (
	ExitOK       = 0
	ExitError    = 1
	ExitUsage    = 2
	ExitNotFound = 3
	ExitAuth     = 4
)

// usageError marks a mistake in how telx was called: a bad flag, a wrong
// number of arguments, a value that cannot be parsed.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// UsageError wraps err so that telx exits with ExitUsage.
func UsageError(err error) error {
	if err == nil {
		return nil
	}
	return &usageError{err: err}
}

// exitCode maps an error returned by a command to the process's exit code.
func exitCode(err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ue):
		return ExitUsage
	case errors.Is(err, sources.ErrNotFound):
		return ExitNotFound
	case errors.Is(err, sources.ErrAuth):
		return ExitAuth
	default:
		return ExitError
	}
}
