package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/config"
)

// envLogLevel sets the default of --log-level.
const envLogLevel = "SG365_LOG_LEVEL"

// GlobalOptions are the flags every command accepts, and where output goes.
// Commands receive it by value; Finalize must have run.
type GlobalOptions struct {
	ConfigPath string // --config; "" means $SG365_CONFIG or the default path
	JSON       bool   // --json: stdout carries JSON objects, one per line
	LogLevel   string // --log-level

	Stdout io.Writer // results: text, or JSON with --json
	Stderr io.Writer // diagnostics and logs

	// Logger writes to Stderr at LogLevel. It must never be given a secret
	// as a string; secret.Secret values log as "[redacted]".
	Logger *slog.Logger
}

// AddFlags registers the global flags as persistent flags.
func (g *GlobalOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&g.ConfigPath, "config", "",
		"config `file` listing tenants (default: $"+config.EnvConfig+", else $XDG_CONFIG_HOME/sg365/config.yaml or ~/.config/sg365/config.yaml)")
	fs.BoolVar(&g.JSON, "json", false, "print results as JSON, one object per line, instead of text")
	level := os.Getenv(envLogLevel)
	if level == "" {
		level = "info"
	}
	fs.StringVar(&g.LogLevel, "log-level", level, "log `level` on stderr: debug, info, warn or error; $"+envLogLevel+" sets the default")
}

// Finalize checks the flags and builds the logger.
func (g *GlobalOptions) Finalize() error {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(g.LogLevel)); err != nil || strings.ContainsAny(g.LogLevel, "+-") {
		return fmt.Errorf("--log-level %q: want debug, info, warn or error", g.LogLevel)
	}
	if g.Stdout == nil {
		g.Stdout = os.Stdout
	}
	if g.Stderr == nil {
		g.Stderr = os.Stderr
	}
	g.Logger = slog.New(slog.NewTextHandler(g.Stderr, &slog.HandlerOptions{Level: lvl}))
	return nil
}

// printJSON writes v to Stdout as one line of JSON. v is a struct whose
// first field is MessageType, tagged json:"message_type" (STYLE.md §7).
func (g GlobalOptions) printJSON(v any) error {
	if err := json.NewEncoder(g.Stdout).Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
