package main

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Exit codes. Only main chooses them, from the error a command returns.
const (
	exitOK          = 0
	exitFatal       = 1   // the command failed
	exitUsage       = 2   // bad flags or arguments; nothing was done
	exitPartial     = 3   // finished, but some items failed (see errPartial)
	exitFound       = 4   // a check found what it looks for: differences, findings (see errFound)
	exitInterrupted = 130 // stopped by SIGINT or SIGTERM before finishing
)

// exitCodesHelp ends every command's help text.
const exitCodesHelp = `Exit codes:
  0    success
  1    fatal error
  2    usage error (bad flag or argument); nothing was done
  3    partial success: some items failed and were recorded
  4    the check found something: configuration drift, findings at or above
       --fail-on (commands that check say so)
  130  interrupted (SIGINT or SIGTERM)`

// errPartial marks a run that finished with recorded item failures. Commands
// wrap it (fmt.Errorf("%d items failed: %w", n, errPartial)) so that main
// exits with exitPartial.
var errPartial = errors.New("some items failed")

// errFound marks a check that ran completely and found what it reports:
// configuration that differs, findings at or above a threshold. Scripts
// tell it apart from a failure by the exit code, exitFound.
var errFound = errors.New("the check found differences or findings")

// usageError is a mistake on the command line. cmdPath names the command
// whose help explains the right usage.
type usageError struct {
	cmdPath string
	err     error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(cmdPath, format string, args ...any) error {
	return &usageError{cmdPath: cmdPath, err: fmt.Errorf(format, args...)}
}

// exitCode maps a command's error to the process exit code.
func exitCode(err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &ue):
		return exitUsage
	case errors.Is(err, errPartial):
		return exitPartial
	case errors.Is(err, errFound):
		return exitFound
	default:
		return exitFatal
	}
}

// reportError prints err for a person, with a pointer to the help for
// usage errors.
func reportError(w io.Writer, err error, code int) {
	if code == exitInterrupted {
		fmt.Fprintln(w, "sg365: interrupted")
		return
	}
	fmt.Fprintf(w, "sg365: error: %v\n", err)
	var ue *usageError
	if errors.As(err, &ue) && ue.cmdPath != "" {
		fmt.Fprintf(w, "Run '%s --help' for usage.\n", ue.cmdPath)
	}
}
