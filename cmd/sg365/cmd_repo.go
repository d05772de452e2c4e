package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/safeguard365/safeguard365/internal/repo"
)

func newRepoCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "repo",
		Short: "Create or connect to the backup repository",
		Long: withExitCodes(`The repository holds every backup: deduplicated, compressed (zstd) and
encrypted (AES-256-GCM) with a password that is never stored. Lose the password
and the backups cannot be read.`),
	}
	groupCommand(cmd)
	cmd.AddCommand(newRepoInitCommand(g), newRepoConnectCommand(g))
	return cmd
}

func newRepoInitCommand(g *GlobalOptions) *cobra.Command {
	var f RepoFlags
	cmd := &cobra.Command{
		Use:   "init [--repo URL]",
		Short: "Create a new, empty repository",
		Long: withExitCodes(`Create a new repository at --repo (default under the user's data directory).
It refuses a location that already holds a repository or other files.`),
		Example: "  SG365_PASSWORD_FILE=~/.sg365-pass sg365 repo init --repo file:///srv/sg365",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRepoInit(cmd.Context(), f, *g)
		},
	}
	f.AddFlags(cmd.Flags())
	return cmd
}

func runRepoInit(ctx context.Context, f RepoFlags, g GlobalOptions) error {
	url, err := f.repoURL()
	if err != nil {
		return err
	}
	if loc, err := repo.ParseURL(url); err == nil && loc.Path != "" {
		// The default location's parent may not exist yet on a new machine.
		if err := os.MkdirAll(filepath.Dir(loc.Path), 0o700); err != nil {
			return fmt.Errorf("create the repository's parent directory: %w", err)
		}
	}
	pw, err := f.password(os.Stdin, g.Stderr, true)
	if err != nil {
		return err
	}
	if err := repo.Init(ctx, url, pw, repo.InitOptions{}); err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(map[string]string{"message_type": "repo_created", "url": url})
	}
	fmt.Fprintf(g.Stdout, "Created repository %s\nKeep its password safe: without it the backups cannot be read.\n", url)
	return nil
}

func newRepoConnectCommand(g *GlobalOptions) *cobra.Command {
	var f RepoFlags
	cmd := &cobra.Command{
		Use:   "connect --repo URL",
		Short: "Check a repository and make it the default",
		Long: withExitCodes(`Open the repository at --repo with its password and, if that works, remember
its URL (not its password) as the default for later commands.`),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRepoConnect(cmd.Context(), f, *g)
		},
	}
	f.AddFlags(cmd.Flags())
	return cmd
}

func runRepoConnect(ctx context.Context, f RepoFlags, g GlobalOptions) error {
	r, url, err := openRepo(ctx, f, g)
	if err != nil {
		return err
	}
	defer r.Close(ctx)
	p, err := savedRepoFile()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("remember the repository: %w", err)
	}
	if err := os.WriteFile(p, []byte(url+"\n"), 0o600); err != nil {
		return fmt.Errorf("remember the repository: %w", err)
	}
	if g.JSON {
		return g.printJSON(map[string]string{"message_type": "repo_connected", "url": url})
	}
	fmt.Fprintf(g.Stdout, "Connected to %s; later commands use it unless --repo says otherwise.\n", url)
	return nil
}

// openRepo opens the repository the flags select.
func openRepo(ctx context.Context, f RepoFlags, g GlobalOptions) (*repo.Repository, string, error) {
	url, err := f.repoURL()
	if err != nil {
		return nil, "", err
	}
	pw, err := f.password(os.Stdin, g.Stderr, false)
	if err != nil {
		return nil, "", err
	}
	r, err := repo.Open(ctx, url, pw, repo.OpenOptions{})
	if err != nil {
		return nil, "", err
	}
	return r, url, nil
}
