package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/inventory"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/simclient"
)

// DemoOptions are the flags of "sg365 demo".
type DemoOptions struct {
	Users    int
	Seed     uint64
	NoBackup bool
}

// AddFlags registers the command's flags.
func (o *DemoOptions) AddFlags(fs *pflag.FlagSet) {
	fs.IntVar(&o.Users, "users", 8, "number of generated users in the emulated tenant")
	fs.Uint64Var(&o.Seed, "seed", 7, "generator seed; the same seed gives the same tenant")
	fs.BoolVar(&o.NoBackup, "no-backup", false, "only list the tenant; skip the backup part")
}

// Validate checks the options.
func (o DemoOptions) Validate() error {
	if o.Users < 1 || o.Users > 500 {
		return fmt.Errorf("--users %d: want 1 to 500 (the demo keeps the whole tenant in memory)", o.Users)
	}
	return nil
}

func newDemoCommand(g *GlobalOptions) *cobra.Command {
	var opts DemoOptions
	cmd := &cobra.Command{
		Use:   "demo [--users N] [--seed S]",
		Short: "See SafeGuard365 work against an emulated tenant, no account needed",
		Long: withExitCodes(`Start an emulated Microsoft 365 tenant in this process, connect to it the way
SafeGuard365 connects to a real one (OAuth client credentials over HTTPS, then
Microsoft Graph), and print what it finds: each user's mailbox and OneDrive.
Then tell DataGuard's story in a throwaway encrypted repository: a full
backup of every mailbox, calendar, contact list and OneDrive; a day of
activity with an incident (ransomware encrypts one user's OneDrive, another
user deletes a mail folder for good); an incremental backup that reads only
what changed; the restore of the encrypted files in place and of the deleted
folder from the backup taken before; a check of both through Graph. Then
TenantGuard's: a configuration snapshot, the tenant graded against CISA's
SCuBA Entra ID baseline, a drift made behind Graph's back found by the next
snapshot and rolled back. Then UserGuard's and DeviceGuard's: the identity and
device posture of the tenant, Microsoft's security alerts stored in the
repository (a second sync shows nothing is fetched twice), and the response
to the open alerts: the Defender for Identity alert's user has their sessions
revoked, is confirmed compromised and must change their Active Directory
password (through Defender for Identity), the Defender for Endpoint alert's
laptop is isolated, both alerts are resolved with a comment, and every action
is written to the audit log and checked through Graph. A verify reads every stored file back,
and a table shows what each step did, every number measured in the run.

Nothing leaves this machine: the tenant, its identity platform and its Graph
endpoint all run on 127.0.0.1 and vanish when the command ends.`),
		Example: "  sg365 demo\n  sg365 demo --users 20 --seed 3 --json",
		Args:    noArgs,
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), opts, *g)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

// demoSummary closes the demo's JSON output.
type demoSummary struct {
	MessageType   string        `json:"message_type"` // "summary"
	Tenant        string        `json:"tenant"`
	TenantID      string        `json:"tenant_id"`
	Users         int           `json:"users"`
	Messages      int           `json:"messages"`
	Files         int           `json:"files"`
	DriveBytes    int64         `json:"drive_bytes"`
	Roles         []string      `json:"roles"`
	GraphRequests int64         `json:"graph_requests"`
	Throttled     int64         `json:"throttled"`
	Duration      time.Duration `json:"duration_ns"`
}

func runDemo(ctx context.Context, opts DemoOptions, g GlobalOptions) error {
	start := time.Now()
	fmt.Fprintf(g.Stderr, "Generating an emulated tenant (%d users, seed %d) and serving it on 127.0.0.1…\n", opts.Users, opts.Seed)
	srv, err := m365sim.New(m365sim.Options{Users: opts.Users, Seed: opts.Seed})
	if err != nil {
		return fmt.Errorf("start the emulator: %w", err)
	}
	l, err := m365sim.Listen(srv, m365sim.ListenOptions{TLS: true})
	if err != nil {
		return fmt.Errorf("start the emulator: %w", err)
	}
	defer l.Close()

	client, err := graph.New(simclient.Config(l), graph.Options{Logger: g.Logger})
	if err != nil {
		return fmt.Errorf("connect to the emulated tenant: %w", err)
	}
	fmt.Fprintf(g.Stderr, "Signing in as app %s at %s and reading the tenant through Microsoft Graph…\n", l.ClientID, l.AuthorityHost)
	info, err := client.TokenInfo(ctx)
	if err != nil {
		return fmt.Errorf("sign in to the emulated tenant: %w", err)
	}
	org, err := client.Organization(ctx)
	if err != nil {
		return fmt.Errorf("read the organization: %w", err)
	}
	users, err := inventory.Count(ctx, client, inventory.Options{})
	if err != nil {
		return err
	}
	stats := client.Stats()
	sum := demoSummary{MessageType: "summary", Tenant: org.DisplayName, TenantID: l.TenantID, Users: len(users),
		Roles: info.Roles, GraphRequests: stats.Requests, Throttled: stats.Throttled, Duration: time.Since(start)}
	for _, u := range users {
		sum.Messages += u.Messages
		sum.Files += u.Files
		sum.DriveBytes += u.DriveBytes
	}
	if !g.JSON {
		printDemo(g, org.DisplayName, users, sum)
	}
	if !opts.NoBackup {
		if err := demoBackups(ctx, client, l, users, opts, g); err != nil {
			return err
		}
	}
	if g.JSON {
		for _, u := range users {
			if err := g.printJSON(struct {
				MessageType string `json:"message_type"`
				inventory.UserCounts
			}{"user", u}); err != nil {
				return err
			}
		}
		return g.printJSON(sum)
	}
	return nil
}

func printDemo(g GlobalOptions, org string, users []inventory.UserCounts, sum demoSummary) {
	w := g.Stdout
	fmt.Fprintf(w, "\nTenant %q (%s), %d users\n\n", org, sum.TenantID, len(users))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "USER\tNAME\tMAIL FOLDERS\tMESSAGES\tONEDRIVE FILES\tONEDRIVE SIZE\t")
	for _, u := range users {
		mail, folders, files, size := fmt.Sprint(u.Messages), fmt.Sprint(u.MailFolders), fmt.Sprint(u.Files), humanBytes(u.DriveBytes)
		if u.NoMailbox {
			mail, folders = "no mailbox", "-"
		}
		if u.NoDrive {
			files, size = "no OneDrive", "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", u.UPN, u.DisplayName, folders, mail, files, size)
	}
	fmt.Fprintf(tw, "TOTAL\t\t\t%d\t%d\t%s\t\n", sum.Messages, sum.Files, humanBytes(sum.DriveBytes))
	tw.Flush()
	fmt.Fprintf(w, "\n%d Graph requests (%d throttled) in %s, as app with %d permissions.\n",
		sum.GraphRequests, sum.Throttled, sum.Duration.Round(time.Millisecond), len(sum.Roles))
	fmt.Fprintf(w, "\nNext: run the emulator on its own with `sg365 sim serve --users 20 --tls` and point\n"+
		"any Graph client at it; `./scripts/test.sh` runs the whole test suite.\n")
}

// humanBytes formats n with binary units, as file managers do.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
