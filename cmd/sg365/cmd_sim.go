package main

import "github.com/spf13/cobra"

func newSimCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run an emulated Microsoft 365 tenant",
		Long: withExitCodes(`Run an emulated Microsoft 365 tenant (Microsoft Graph and the identity
platform) on this machine, for development, tests and demonstrations. Its data
is generated from a seed and its credentials are throwaway.`),
	}
	groupCommand(cmd)
	cmd.AddCommand(newSimServeCommand(g))
	return cmd
}
