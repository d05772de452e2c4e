package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// subcommands lists the top-level commands in help order.
func subcommands(g *GlobalOptions) []*cobra.Command {
	return []*cobra.Command{
		newDemoCommand(g),
		newRepoCommand(g),
		newBackupCommand(g),
		newRestoreCommand(g),
		newSnapshotsCommand(g),
		newLsCommand(g),
		newSharingCommand(g),
		newFindCommand(g),
		newCatalogCommand(g),
		newExportCommand(g),
		newForgetCommand(g),
		newVerifyCommand(g),
		newTenantCommand(g),
		newAssessCommand(g),
		newIdentityCommand(g),
		newDeviceCommand(g),
		newAlertsCommand(g),
		newIncidentsCommand(g),
		newRespondCommand(g),
		newAuditCommand(g),
		newConfigCommand(g),
		newSimCommand(g),
		newVersionCommand(g),
	}
}

func newRootCommand(g *GlobalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "sg365",
		Short: "Protect a Microsoft 365 tenant: data, configuration, identities and devices",
		Long: `sg365 is the SafeGuard365 command line. It backs up and restores Microsoft 365
data (DataGuard), snapshots tenant configuration (TenantGuard), and watches
identities (UserGuard) and devices (DeviceGuard). "sg365 sim serve" runs an
emulated tenant to try it against.

Tenants are listed in the config file (see --config); secrets come from files
or SG365_* environment variables, never from flags.

` + exitCodesHelp,
		SilenceErrors: true, // main prints errors and picks the exit code
		SilenceUsage:  true, // a failed run is not a reason to print usage
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := g.Finalize(); err != nil {
				return &usageError{cmdPath: cmd.CommandPath(), err: err}
			}
			return nil
		},
	}
	groupCommand(root)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{cmdPath: cmd.CommandPath(), err: err}
	})
	g.AddFlags(root.PersistentFlags())
	root.AddCommand(subcommands(g)...)
	root.CompletionOptions.HiddenDefaultCmd = true
	return root
}

// groupCommand makes cmd, which only holds subcommands, print its help when
// called alone and reject an unknown subcommand as a usage error (cobra
// would otherwise print help and exit 0 for "sg365 sim bogus").
func groupCommand(cmd *cobra.Command) {
	cmd.Args = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			c.SuggestionsMinimumDistance = 2
			hint := ""
			if s := c.SuggestionsFor(args[0]); len(s) > 0 {
				hint = fmt.Sprintf("; did you mean %q?", s[0])
			}
			return usageErrorf(c.CommandPath(), "unknown command %q for %q%s", args[0], c.CommandPath(), hint)
		}
		return nil
	}
	cmd.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
}

// withExitCodes appends the exit code table to a command's long help.
func withExitCodes(long string) string { return long + "\n\n" + exitCodesHelp }

// validating wraps an options Validate call as a PreRunE that reports a
// usage error. Pass a closure, not the method value opts.Validate, which
// would copy the options before the flags are parsed.
func validating(validate func() error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		if err := validate(); err != nil {
			return &usageError{cmdPath: cmd.CommandPath(), err: err}
		}
		return nil
	}
}

// noArgs rejects positional arguments as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf(cmd.CommandPath(), "%q takes no arguments, got %q", cmd.CommandPath(), args)
	}
	return nil
}
