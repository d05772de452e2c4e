package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// VersionOptions are the flags of "sg365 version" (none yet).
type VersionOptions struct{}

// AddFlags registers the command's flags.
func (*VersionOptions) AddFlags(*pflag.FlagSet) {}

// Validate checks the options.
func (VersionOptions) Validate() error { return nil }

func newVersionCommand(g *GlobalOptions) *cobra.Command {
	var opts VersionOptions
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of sg365",
		Long: withExitCodes(`Print the version of sg365, the Go version it was built with, and the
source revision when the build recorded one.`),
		Args:    noArgs,
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVersion(cmd.Context(), opts, *g)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

// versionInfo is what "sg365 version" reports.
type versionInfo struct {
	MessageType  string `json:"message_type"` // "version"
	Version      string `json:"version"`      // module version, or "(devel)" for a source build
	GoVersion    string `json:"go_version"`
	OS           string `json:"os"`
	Arch         string `json:"arch"`
	Revision     string `json:"revision,omitempty"` // VCS commit, when recorded
	RevisionTime string `json:"revision_time,omitempty"`
	Modified     bool   `json:"modified,omitempty"` // built from a tree with uncommitted changes
}

// readVersion is debug.ReadBuildInfo, replaced in tests.
var readVersion = debug.ReadBuildInfo

func buildVersion() versionInfo {
	v := versionInfo{MessageType: "version", Version: "unknown", GoVersion: runtime.Version(),
		OS: runtime.GOOS, Arch: runtime.GOARCH}
	bi, ok := readVersion()
	if !ok {
		return v
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.RevisionTime = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

func runVersion(_ context.Context, _ VersionOptions, g GlobalOptions) error {
	v := buildVersion()
	if g.JSON {
		return g.printJSON(v)
	}
	line := fmt.Sprintf("sg365 %s %s %s/%s", v.Version, v.GoVersion, v.OS, v.Arch)
	if v.Revision != "" {
		line += " revision " + v.Revision
		if v.Modified {
			line += " (modified)"
		}
	}
	_, err := fmt.Fprintln(g.Stdout, line)
	return err
}
