package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/repo"
)

// VerifyOptions are the flags of "sg365 verify".
type VerifyOptions struct {
	RepoFlags
	Sample float64
}

// AddFlags registers the command's flags.
func (o *VerifyOptions) AddFlags(fs *pflag.FlagSet) {
	o.RepoFlags.AddFlags(fs)
	fs.Float64Var(&o.Sample, "sample", 100, "read back this `percent` of the files (the index is always checked in full)")
}

// Validate checks the options.
func (o VerifyOptions) Validate() error {
	if o.Sample <= 0 || o.Sample > 100 {
		return fmt.Errorf("--sample %v: want a percentage above 0 and at most 100", o.Sample)
	}
	return nil
}

func newVerifyCommand(g *GlobalOptions) *cobra.Command {
	var opts VerifyOptions
	cmd := &cobra.Command{
		Use:   "verify [--sample PCT]",
		Short: "Read the backups back and check that they are whole",
		Long: withExitCodes(`Check every snapshot: that the data it references exists, and (for --sample
percent of the files) that it decrypts and matches its hashes. Damaged files are
listed by snapshot and path. Exit code 1 when anything is damaged.`),
		Args:    noArgs,
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVerify(cmd.Context(), opts, *g)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runVerify(ctx context.Context, opts VerifyOptions, g GlobalOptions) error {
	r, _, err := openRepo(ctx, opts.RepoFlags, g)
	if err != nil {
		return err
	}
	defer r.Close(ctx)
	rep, err := r.Verify(ctx, repo.VerifyOptions{SamplePercent: opts.Sample})
	if err != nil {
		return err
	}
	if g.JSON {
		for _, e := range rep.Errors {
			g.printJSON(map[string]string{"message_type": "damaged", "snapshot": string(e.Snapshot), "path": e.Path, "error": e.Err.Error()})
		}
		if err := g.printJSON(map[string]any{"message_type": "summary", "snapshots": rep.Snapshots, "files": rep.Files,
			"bytes": rep.Bytes, "errors": len(rep.Errors)}); err != nil {
			return err
		}
	} else {
		for _, e := range rep.Errors {
			fmt.Fprintf(g.Stdout, "DAMAGED %s %s: %v\n", shortID(e.Snapshot), e.Path, e.Err)
		}
		fmt.Fprintf(g.Stdout, "Checked %d snapshots: %d files (%s) read back, %d damaged.\n",
			rep.Snapshots, rep.Files, humanBytes(rep.Bytes), len(rep.Errors))
	}
	if len(rep.Errors) > 0 {
		return errors.New("the repository holds damaged data; see the list above")
	}
	return nil
}
