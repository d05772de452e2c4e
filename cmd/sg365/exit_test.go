package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestExitCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, exitOK},
		{errors.New("boom"), exitFatal},
		{usageErrorf("sg365 x", "bad flag"), exitUsage},
		{fmt.Errorf("backup: %w", fmt.Errorf("3 items failed: %w", errPartial)), exitPartial},
		{fmt.Errorf("list: %w", context.Canceled), exitInterrupted},
		{errors.Join(usageErrorf("sg365", "x"), context.Canceled), exitInterrupted},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// TestRun runs whole command lines through run, as main does.
func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name      string
		args      []string
		code      int
		stdout    []string
		stderr    []string
		notStdout []string
	}{
		{name: "help-lists-exit-codes", args: []string{"--help"}, code: 0,
			stdout: []string{"Exit codes:", "130  interrupted", "sim", "version"}},
		{name: "no-args-shows-help", args: nil, code: 0, stdout: []string{"Usage:"}},
		{name: "sub-help-lists-exit-codes", args: []string{"sim", "serve", "--help"}, code: 0,
			stdout: []string{"--time-scale", "Exit codes:"}},
		{name: "version", args: []string{"version"}, code: 0, stdout: []string{"sg365 "}},
		{name: "version-json", args: []string{"--json", "version"}, code: 0, stdout: []string{`"message_type":"version"`}},
		{name: "unknown-command", args: []string{"verson"}, code: exitUsage,
			stderr: []string{`unknown command "verson"`, `did you mean "version"?`, "Run 'sg365 --help' for usage."}},
		{name: "unknown-subcommand", args: []string{"sim", "srve"}, code: exitUsage,
			stderr: []string{`unknown command "srve" for "sg365 sim"`, "Run 'sg365 sim --help'"}},
		{name: "unknown-flag", args: []string{"version", "--nope"}, code: exitUsage,
			stderr: []string{"unknown flag: --nope", "Run 'sg365 version --help'"}},
		{name: "extra-arg", args: []string{"version", "x"}, code: exitUsage, stderr: []string{"takes no arguments"}},
		{name: "bad-log-level", args: []string{"--log-level", "loud", "version"}, code: exitUsage,
			stderr: []string{`--log-level "loud"`}, notStdout: []string{"sg365 "}},
		{name: "serve-validation", args: []string{"sim", "serve", "--users", "0", "--ca-dir", "/x", "--time-scale", "0", "--addr", "nope"},
			code: exitUsage, stderr: []string{"--users 0", "--ca-dir needs --tls", "--time-scale", `--addr "nope"`}},
		{name: "no-secret-flag", args: []string{"sim", "serve", "--client-secret", "x"}, code: exitUsage,
			stderr: []string{"unknown flag: --client-secret"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr syncBuffer
			code := run(tc.args, &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout.String(), stderr.String())
			}
			for _, w := range tc.stdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tc.notStdout {
				if strings.Contains(stdout.String(), w) {
					t.Errorf("stdout has %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tc.stderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
		})
	}
}
