package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/catalog"
	"github.com/safeguard365/safeguard365/internal/repo"
)

// envCatalog sets the default of --catalog.
const envCatalog = "SG365_CATALOG"

// CatalogFlags locate the catalog database of a repository.
type CatalogFlags struct {
	Path string
}

// AddFlags registers --catalog.
func (f *CatalogFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.Path, "catalog", "", "catalog database `file` (default: $"+envCatalog+
		", else $XDG_DATA_HOME/sg365/catalog/<hash of the repository URL>.db)")
}

// path resolves the catalog of the repository at repoURL: flag,
// environment, default.
func (f CatalogFlags) path(repoURL string) (string, error) {
	if f.Path != "" {
		return f.Path, nil
	}
	if p := strings.TrimSpace(os.Getenv(envCatalog)); p != "" {
		return p, nil
	}
	d, err := dataDir()
	if err != nil {
		return "", err
	}
	return catalog.DefaultPath(d, repoURL)
}

func (f CatalogFlags) open(ctx context.Context, repoURL string, opts catalog.Options) (*catalog.Catalog, error) {
	p, err := f.path(repoURL)
	if err != nil {
		return nil, err
	}
	return catalog.Open(ctx, p, opts)
}

// CatalogOptions are the flags of "sg365 catalog rebuild|update|status".
type CatalogOptions struct {
	Repo     RepoFlags
	Catalog  CatalogFlags
	Workers  int
	HashMail bool
}

// AddFlags registers the command's flags.
func (o *CatalogOptions) AddFlags(fs *pflag.FlagSet) {
	o.Repo.AddFlags(fs)
	o.Catalog.AddFlags(fs)
	fs.IntVar(&o.Workers, "workers", 4, "items read from the repository at once")
	fs.BoolVar(&o.HashMail, "hash-mail", false, "store the SHA-256 of each message's MIME (reads every message in full)")
}

// Validate checks the options.
func (o CatalogOptions) Validate() error {
	if o.Workers < 1 {
		return fmt.Errorf("--workers %d: want at least 1", o.Workers)
	}
	return nil
}

func newCatalogCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "Maintain the searchable index of snapshots that 'sg365 find' uses",
		Long: withExitCodes(`The catalog indexes the items of every DataGuard snapshot (subjects, senders,
recipients, names, folders, dates, sizes) in a local database, so that
'sg365 find' answers without opening the repository. 'sg365 backup' updates
it. It is an index only: 'sg365 catalog rebuild' recreates it from the
repository, so losing it loses nothing. It holds subjects, names and
addresses unencrypted (mode 0600).`),
	}
	groupCommand(cmd)
	for _, sub := range []struct {
		use, short, long string
		run              func(context.Context, CatalogOptions, GlobalOptions) error
	}{
		{"rebuild", "Empty the catalog and index every snapshot again",
			`Drop the catalog's content and index every DataGuard snapshot of the repository.`, runCatalogRebuild},
		{"update", "Index new snapshots and drop forgotten ones",
			`Index the snapshots the catalog does not have yet, and drop those the repository no longer has.`, runCatalogUpdate},
		{"status", "Show what the catalog holds", `Show the catalog's file, snapshots and rows.`, runCatalogStatus},
	} {
		var opts CatalogOptions
		c := &cobra.Command{
			Use:     sub.use,
			Short:   sub.short,
			Long:    withExitCodes(sub.long),
			Args:    noArgs,
			PreRunE: validating(func() error { return opts.Validate() }),
			RunE: func(cmd *cobra.Command, _ []string) error {
				return sub.run(cmd.Context(), opts, *g)
			},
		}
		opts.AddFlags(c.Flags())
		cmd.AddCommand(c)
	}
	return cmd
}

// snapshotLines prints a line per indexed snapshot on stderr.
type snapshotLines struct{ g GlobalOptions }

func (p snapshotLines) SnapshotDone(s catalog.SnapshotStat) {
	switch {
	case s.Error != "":
		fmt.Fprintf(p.g.Stderr, "catalog: %s %s %s: failed: %s\n", shortID(s.ID), s.Workload, s.User, s.Error)
	case s.Skipped != "":
		p.g.Logger.Debug("catalog: snapshot skipped", "snapshot", s.ID, "reason", s.Skipped)
	default:
		fmt.Fprintf(p.g.Stderr, "catalog: %s %-8s %s: %d items, %d read, in %s\n", shortID(s.ID), s.Workload, s.User,
			s.Items, s.Read, s.Duration.Round(time.Millisecond))
		if s.ItemErrors > 0 {
			fmt.Fprintf(p.g.Stderr, "catalog: %s: %d items could not be read completely, e.g. %s\n", shortID(s.ID), s.ItemErrors, s.FirstError)
		}
	}
}

func runCatalogRebuild(ctx context.Context, opts CatalogOptions, g GlobalOptions) error {
	return runCatalogIndex(ctx, opts, g, true)
}

func runCatalogUpdate(ctx context.Context, opts CatalogOptions, g GlobalOptions) error {
	return runCatalogIndex(ctx, opts, g, false)
}

func runCatalogIndex(ctx context.Context, opts CatalogOptions, g GlobalOptions, rebuild bool) error {
	r, url, err := openRepo(ctx, opts.Repo, g)
	if err != nil {
		return err
	}
	defer r.Close(ctx)
	c, err := opts.Catalog.open(ctx, url, catalog.Options{Workers: opts.Workers, HashMail: opts.HashMail, Reporter: snapshotLines{g}})
	if err != nil {
		return err
	}
	defer c.Close()
	var res catalog.IndexResult
	if rebuild {
		res, err = c.Rebuild(ctx, r)
	} else {
		res, err = c.Index(ctx, r)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	st, serr := c.Stats(ctx)
	if perr := printIndexResult(g, res, st); perr != nil && err == nil {
		err = perr
	}
	if err == nil {
		err = serr
	}
	if errors.Is(err, catalog.ErrIncomplete) {
		return fmt.Errorf("%w: %w", err, errPartial)
	}
	return err
}

func printIndexResult(g GlobalOptions, res catalog.IndexResult, st catalog.Stats) error {
	if g.JSON {
		for _, s := range res.Snapshot {
			if err := g.printJSON(struct {
				MessageType string `json:"message_type"`
				catalog.SnapshotStat
			}{"snapshot", s}); err != nil {
				return err
			}
		}
		return g.printJSON(struct {
			MessageType string `json:"message_type"`
			catalog.IndexResult
			Catalog catalog.Stats `json:"catalog"`
		}{"summary", res, st})
	}
	fmt.Fprintf(g.Stdout, "Indexed %d snapshots (%d items, %d read from the repository) in %s; %d pruned, %d failed.\n",
		res.Indexed, res.Items, res.Read, res.Duration.Round(time.Millisecond), res.Pruned, res.Failed)
	printCatalogStats(g, st)
	return nil
}

func printCatalogStats(g GlobalOptions, st catalog.Stats) {
	fmt.Fprintf(g.Stdout, "Catalog %s: %d snapshots of %d resources, %d items in %d versions, %s.\n",
		st.Path, st.Snapshots, st.Sources, st.Items, st.Rows, humanBytes(st.Bytes))
}

func runCatalogStatus(ctx context.Context, opts CatalogOptions, g GlobalOptions) error {
	url, err := opts.Repo.repoURL()
	if err != nil {
		return err
	}
	c, err := opts.Catalog.open(ctx, url, catalog.Options{})
	if err != nil {
		return err
	}
	defer c.Close()
	st, err := c.Stats(ctx)
	if err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(struct {
			MessageType string `json:"message_type"`
			catalog.Stats
		}{"catalog", st})
	}
	printCatalogStats(g, st)
	return nil
}

// indexAfterBackup brings the catalog up to date after a backup. A failure
// is a warning only: the backup is safe, and the catalog can be rebuilt.
func indexAfterBackup(ctx context.Context, r *repo.Repository, rf RepoFlags, g GlobalOptions) {
	if ctx.Err() != nil {
		return
	}
	url, err := rf.repoURL()
	if err == nil {
		var c *catalog.Catalog
		if c, err = (CatalogFlags{}).open(ctx, url, catalog.Options{}); err == nil {
			var res catalog.IndexResult
			res, err = c.Index(ctx, r)
			g.Logger.Debug("catalog updated", "indexed", res.Indexed, "items", res.Items, "read", res.Read,
				"pruned", res.Pruned, "duration", res.Duration)
			err = errors.Join(err, c.Close())
		}
	}
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(g.Stderr, "sg365: warning: the backup is complete, but updating the catalog failed: %v\n"+
			"Run 'sg365 catalog rebuild' to make 'sg365 find' see the new snapshots.\n", err)
	}
}
