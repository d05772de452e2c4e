package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/export"
)

// ExportOptions are the flags of "sg365 export".
type ExportOptions struct {
	Repo   RepoFlags
	Out    string
	Format string
	Items  []string
	Force  bool
}

// AddFlags registers the command's flags.
func (o *ExportOptions) AddFlags(fs *pflag.FlagSet) {
	o.Repo.AddFlags(fs)
	fs.StringVar(&o.Out, "out", "", "write into this new or empty `DIR`, or into FILE.zip")
	fs.StringVar(&o.Format, "format", string(export.FormatEML), "mail as one .eml per message (eml) or one mbox file per folder (mbox)")
	fs.StringArrayVar(&o.Items, "item", nil, "export only this item (`id` from 'sg365 find'); repeat for several")
	fs.BoolVar(&o.Force, "force", false, "write into a non-empty directory or replace an existing file, overwriting files of the same names")
}

// Validate checks the options.
func (o ExportOptions) Validate() error {
	switch {
	case o.Out == "":
		return errors.New("say where to write: --out DIR or --out FILE.zip")
	case o.Format != string(export.FormatEML) && o.Format != string(export.FormatMbox):
		return fmt.Errorf("--format %q: want eml or mbox", o.Format)
	}
	return nil
}

func newExportCommand(g *GlobalOptions) *cobra.Command {
	var opts ExportOptions
	cmd := &cobra.Command{
		Use:   "export SNAPSHOT[:PATH] --out DIR|FILE.zip [--format eml|mbox]",
		Short: "Write a snapshot's mail, files, calendars and contacts as ordinary files",
		Long: withExitCodes(`Export SNAPSHOT (an id prefix from 'sg365 snapshots' or 'sg365 find'), or the
folder or file PATH inside it (by names, as 'sg365 find' shows them, e.g.
"Inbox/Projects" or "Documents/report.docx"), as a tree anyone can open:
Mail/<folders>/<date> <subject>.eml (the original message) or one mbox file
per folder, OneDrive/<path> with the files' modification times,
Calendar/<calendar>.ics and Contacts/<folder>.vcf. An --out ending in .zip
writes a zip archive. Existing output is never overwritten without --force.
Items that cannot be read are listed and the command exits with 3.`),
		Example: "  sg365 export 3f9a2c:Inbox --out ~/inbox-export\n  sg365 export 3f9a2c --out adele-mail.zip --format mbox",
		Args:    snapshotPathArg,
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExport(cmd.Context(), opts, *g, args[0])
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runExport(ctx context.Context, opts ExportOptions, g GlobalOptions, arg string) error {
	id, p, _ := strings.Cut(arg, ":")
	r, _, err := openRepo(ctx, opts.Repo, g)
	if err != nil {
		return err
	}
	defer r.Close(ctx)
	snap, err := findSnapshot(ctx, r, id)
	if err != nil {
		return err
	}
	v, err := dataguard.OpenView(ctx, r, snap.ID)
	if err != nil {
		return err
	}
	var sink export.Sink
	if strings.HasSuffix(strings.ToLower(opts.Out), ".zip") {
		sink, err = export.NewZipSink(opts.Out, opts.Force)
	} else {
		sink, err = export.NewDirSink(opts.Out, opts.Force)
	}
	if errors.Is(err, export.ErrExists) {
		return &usageError{cmdPath: "sg365 export", err: err} // nothing was done; --force or another --out
	}
	if err != nil {
		return err
	}
	pr := newExportProgress(g.Stderr)
	stop := pr.start()
	sum, err := export.Export(ctx, v, sink, export.Options{Path: p, Items: opts.Items, Format: export.Format(opts.Format), Reporter: pr})
	stop()
	if cerr := sink.Close(err); err == nil {
		err = cerr
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if perr := printExportSummary(g, opts, v, sum); perr != nil && err == nil {
		err = perr
	}
	switch {
	case errors.Is(err, export.ErrPartial):
		return fmt.Errorf("%w: %w", err, errPartial)
	case errors.Is(err, export.ErrNoMatch):
		return &usageError{cmdPath: "sg365 export", err: err}
	}
	return err
}

func printExportSummary(g GlobalOptions, opts ExportOptions, v *dataguard.View, sum export.Summary) error {
	if g.JSON {
		for _, f := range sum.Failures {
			if err := g.printJSON(struct {
				MessageType string `json:"message_type"`
				export.Failure
			}{"error", f}); err != nil {
				return err
			}
		}
		return g.printJSON(struct {
			MessageType string `json:"message_type"`
			Snapshot    string `json:"snapshot"`
			Out         string `json:"out"`
			export.Summary
		}{"summary", string(v.Info().ID), opts.Out, sum})
	}
	for _, f := range sum.Failures {
		fmt.Fprintf(g.Stdout, "failed: %s: %s\n", f.ID, f.Error)
	}
	fmt.Fprintf(g.Stdout, "Exported %d items (%s) of %s's %s snapshot %s into %s: %d files, %d folders, in %.1fs.\n",
		sum.Items, humanBytes(sum.Bytes), v.ResourceName(), v.Workload(), shortID(v.Info().ID), opts.Out,
		sum.Files, sum.Folders, sum.Duration.Seconds())
	return nil
}

// exportProgress renders export progress on stderr: a line that rewrites
// itself on a terminal, plain lines every 10 s otherwise.
type exportProgress struct {
	w      io.Writer
	tty    bool
	items  atomic.Int64
	failed atomic.Int64
	bytes  atomic.Int64
	t0     time.Time
}

func newExportProgress(w io.Writer) *exportProgress {
	p := &exportProgress{w: w, t0: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	return p
}

func (p *exportProgress) ItemDone(_ string, n int64) { p.items.Add(1); p.bytes.Add(n) }
func (p *exportProgress) ItemFailed(string, error)   { p.failed.Add(1) }

func (p *exportProgress) line() string {
	secs := max(time.Since(p.t0).Seconds(), 0.001)
	return fmt.Sprintf("exported %d items, %d failed, %s (%s/s), %s", p.items.Load(), p.failed.Load(),
		humanBytes(p.bytes.Load()), humanBytes(int64(float64(p.bytes.Load())/secs)), time.Since(p.t0).Round(time.Second))
}

func (p *exportProgress) start() (stop func()) {
	every := 10 * time.Second
	if p.tty {
		every = 250 * time.Millisecond
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				if p.tty {
					fmt.Fprintf(p.w, "\r\033[K%s\n", p.line())
				}
				return
			case <-tick.C:
				if p.tty {
					fmt.Fprintf(p.w, "\r\033[K%s", p.line())
				} else {
					fmt.Fprintln(p.w, p.line())
				}
			}
		}
	}()
	return func() { close(quit); wg.Wait() }
}
