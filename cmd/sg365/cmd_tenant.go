package main

import "github.com/spf13/cobra"

func newTenantCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tenant",
		Short: "Check the connection to a Microsoft 365 tenant",
		Long: withExitCodes(`Work with the tenants listed in the config file (see --config): check that
SafeGuard365 can sign in and what its app registration may do.`),
	}
	groupCommand(cmd)
	cmd.AddCommand(newTenantCheckCommand(g))
	return cmd
}
