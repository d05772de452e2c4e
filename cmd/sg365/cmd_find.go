package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/catalog"
	"github.com/safeguard365/safeguard365/internal/repo"
)

// FindOptions are the flags of "sg365 find".
type FindOptions struct {
	RepoURL string
	Catalog CatalogFlags

	Subject, From, To, Name string
	After, Before           string
	User                    string
	Kinds                   []string
	Snapshot                string
	AllSnapshots            bool
	Limit                   int

	query catalog.Query // set by Validate
}

// AddFlags registers the command's flags.
func (o *FindOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.RepoURL, "repo", "", "repository `url` whose catalog to search (default: $"+envRepository+
		", else the one saved by 'sg365 repo connect', else file://$XDG_DATA_HOME/sg365/repository)")
	o.Catalog.AddFlags(fs)
	fs.StringVar(&o.Subject, "subject", "", "messages and events whose subject has these `words` (as word starts, any order)")
	fs.StringVar(&o.Name, "name", "", "files, folders and contacts whose name has these `words`")
	fs.StringVar(&o.From, "from", "", "items from this sender: name or `address` words, as a phrase")
	fs.StringVar(&o.To, "to", "", "items to this recipient (To or Cc): name or `address` words")
	fs.StringVar(&o.After, "after", "", "items dated at or after `DATE` (YYYY-MM-DD, YYYY-MM-DDTHH:MM local, or RFC 3339)")
	fs.StringVar(&o.Before, "before", "", "items dated before `DATE`")
	fs.StringVar(&o.User, "user", "", "items of this user (`UPN` or id)")
	fs.StringSliceVar(&o.Kinds, "kind", nil, "only these kinds: message, event, contact, file, folder")
	fs.StringVar(&o.Snapshot, "snapshot", "", "only items of this snapshot (`id` or unique prefix)")
	fs.BoolVar(&o.AllSnapshots, "all-snapshots", false, "list an item once per snapshot holding it, not once in its latest")
	fs.IntVar(&o.Limit, "limit", 100, "show at most `N` items, newest first (0: all)")
}

// Validate checks the flags and builds the query.
func (o *FindOptions) Validate() error {
	q := catalog.Query{Subject: o.Subject, From: o.From, To: o.To, Name: o.Name, User: o.User,
		Snapshot: o.Snapshot, AllSnapshots: o.AllSnapshots, Limit: o.Limit}
	var err error
	if o.After != "" {
		if q.After, err = catalog.ParseDate(o.After, time.Local); err != nil {
			return fmt.Errorf("--after: %w", err)
		}
	}
	if o.Before != "" {
		if q.Before, err = catalog.ParseDate(o.Before, time.Local); err != nil {
			return fmt.Errorf("--before: %w", err)
		}
	}
	for _, k := range o.Kinds {
		kind, err := catalog.ParseKind(k)
		if err != nil {
			return fmt.Errorf("--kind: %w", err)
		}
		q.Kinds = append(q.Kinds, kind)
	}
	if o.Limit < 0 {
		return fmt.Errorf("--limit %d: want 0 (all) or more", o.Limit)
	}
	o.query = q
	return nil
}

func newFindCommand(g *GlobalOptions) *cobra.Command {
	var opts FindOptions
	cmd := &cobra.Command{
		Use:   "find [--subject WORDS] [--from ADDR] [--to ADDR] [--name WORDS] [--after DATE] [--before DATE] ...",
		Short: "Search the catalog for mail, events, contacts and files in any snapshot",
		Long: withExitCodes(`Search the catalog of backed-up items. Each matching item is shown once, in
the latest snapshot that holds it as matched (with --all-snapshots, once per
snapshot), newest first. Pass the snapshot and id to 'sg365 export' or
'sg365 restore'. Words match the start of words, ignoring case and accents.

The catalog is local; 'sg365 backup' updates it, 'sg365 catalog rebuild'
recreates it from the repository. find needs no repository password.`),
		Example: `  sg365 find --subject "budget review" --after 2025-01-01
  sg365 find --from adele.vance@contoso.com --kind message --limit 20
  sg365 find --name report.docx --all-snapshots --json`,
		Args:    noArgs,
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runFind(cmd.Context(), opts, *g)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runFind(ctx context.Context, opts FindOptions, g GlobalOptions) error {
	url, err := (RepoFlags{URL: opts.RepoURL}).repoURL()
	if err != nil {
		return err
	}
	c, err := opts.Catalog.open(ctx, url, catalog.Options{})
	if err != nil {
		return err
	}
	defer c.Close()
	res, err := c.Find(ctx, opts.query)
	if errors.Is(err, catalog.ErrBadQuery) {
		return &usageError{cmdPath: "sg365 find", err: err}
	}
	if err != nil {
		return err
	}
	limited := opts.Limit > 0 && len(res) == opts.Limit
	if g.JSON {
		for _, r := range res {
			if err := g.printJSON(struct {
				MessageType string `json:"message_type"`
				catalog.Result
				Path string `json:"path"`
			}{"item", r, r.Path()}); err != nil {
				return err
			}
		}
		return g.printJSON(struct {
			MessageType string `json:"message_type"`
			Results     int    `json:"results"`
			Limited     bool   `json:"limited"`
		}{"summary", len(res), limited})
	}
	tw := tabwriter.NewWriter(g.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SNAPSHOT\tDATE\tKIND\tUSER\tFROM\tPATH\tSIZE\tID")
	for _, r := range res {
		date := ""
		if !r.Date.IsZero() {
			date = r.Date.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", shortID(repo.SnapshotID(r.Snapshot)), date, r.Kind, r.User,
			ellipsis(r.From, 40), ellipsis(r.Path(), 70), humanBytes(r.Size), r.ID)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	switch {
	case limited:
		fmt.Fprintf(g.Stdout, "%d items shown, there may be more (--limit %d; 0 shows all).\n", len(res), opts.Limit)
	default:
		fmt.Fprintf(g.Stdout, "%d items.\n", len(res))
	}
	return nil
}

// ellipsis shortens s to at most n runes.
func ellipsis(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return strings.TrimSpace(string(r[:n-1])) + "…"
	}
	return s
}
