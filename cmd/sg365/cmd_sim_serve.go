package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
	"github.com/safeguard365/safeguard365/internal/m365sim/simtls"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// SimServeOptions are the flags of "sg365 sim serve".
type SimServeOptions struct {
	Users         int
	Seed          uint64
	Addr          string
	TLS           bool
	CADir         string
	TokenLifetime time.Duration
	TimeScale     float64
	ImportMbox    string // mbox file to load into a mailbox
	ImportEML     string // directory of .eml files to load
	ImportTo      string // "UPN:Folder/Path"; default the first user's Inbox/Imported
	State         string // directory keeping the tenant across runs; "" keeps it in memory
}

// AddFlags registers the command's flags.
func (o *SimServeOptions) AddFlags(fs *pflag.FlagSet) {
	fs.IntVar(&o.Users, "users", 5, "number of generated users")
	fs.Uint64Var(&o.Seed, "seed", 1, "generator seed; the same seed gives the same tenant")
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:0", "listen `address` (port 0 picks a free port)")
	fs.BoolVar(&o.TLS, "tls", false, "serve HTTPS with a generated CA (needed by azidentity, which accepts only https authorities)")
	fs.StringVar(&o.CADir, "ca-dir", "", "keep the CA in `dir` and reuse it across runs, so clients trust it once (with --tls)")
	fs.DurationVar(&o.TokenLifetime, "token-lifetime", 0, "access token lifetime (0: the identity platform's 60-90 minutes)")
	fs.Float64Var(&o.TimeScale, "time-scale", 1, "divide throttling windows and Retry-After by this factor (1: Microsoft's real limits)")
	fs.StringVar(&o.ImportMbox, "import-mbox", "", "load the messages of mbox `file` into a mailbox, keeping their original MIME")
	fs.StringVar(&o.ImportEML, "import-eml", "", "load the .eml files of `dir` into a mailbox, keeping their original MIME")
	fs.StringVar(&o.ImportTo, "import-to", "", "`UPN:Folder/Path` to import into (default: the first user's Inbox/Imported)")
	fs.StringVar(&o.State, "state", "", "keep the tenant, its credentials and token signing key in `dir` (created with mode 0700) and load them on the next run; --users and --seed then apply only when dir holds no tenant yet")
}

// Validate checks the options.
func (o SimServeOptions) Validate() error {
	var errs []error
	if o.Users < 1 {
		errs = append(errs, fmt.Errorf("--users %d: want at least 1", o.Users))
	}
	if _, _, err := net.SplitHostPort(o.Addr); err != nil {
		errs = append(errs, fmt.Errorf("--addr %q: want host:port, e.g. 127.0.0.1:0", o.Addr))
	}
	if o.CADir != "" && !o.TLS {
		errs = append(errs, errors.New("--ca-dir needs --tls"))
	}
	if o.ImportTo != "" && o.ImportMbox == "" && o.ImportEML == "" {
		errs = append(errs, errors.New("--import-to needs --import-mbox or --import-eml"))
	}
	if o.TokenLifetime < 0 {
		errs = append(errs, fmt.Errorf("--token-lifetime %v is negative", o.TokenLifetime))
	}
	if _, err := o.limits(); err != nil {
		errs = append(errs, fmt.Errorf("--time-scale: %w", err))
	}
	return errors.Join(errs...)
}

func (o SimServeOptions) limits() (*limits.Config, error) {
	lc := limits.DefaultConfig()
	lc.TimeScale = o.TimeScale
	if err := lc.Validate(); err != nil {
		return nil, err
	}
	return &lc, nil
}

func newSimServeCommand(g *GlobalOptions) *cobra.Command {
	var opts SimServeOptions
	cmd := &cobra.Command{
		Use:   "serve [--users N] [--seed S] [--addr HOST:PORT] [--tls [--ca-dir DIR]]",
		Short: "Start an emulated tenant and print how to reach it",
		Long: withExitCodes(`Start an emulated Microsoft 365 tenant and print its Graph URL, Defender
for Endpoint API URL (for --mde-url), authority host, tenant ID, client ID and
client secret (with --tls, also the path of the CA certificate to trust). With --json the same is printed as one JSON object.
It then serves until SIGINT or SIGTERM, closes, and exits with code 0.

With --state DIR the tenant is saved in DIR when the emulator stops and loaded
from it on the next run, with the same client ID and secret, so access tokens
and delta links from before a restart keep working. Mail imported with
--import-mbox or --import-eml is saved too: import it once.

The client secret is printed on purpose: it belongs to a throwaway emulated
tenant. Never print a real tenant's secret.`),
		Example: `  sg365 sim serve --users 20 --seed 7 --tls
  sg365 sim serve --json --tls --ca-dir ~/.cache/sg365/sim-ca
  sg365 sim serve --tls --ca-dir ~/.cache/sg365/sim-ca --state ~/.cache/sg365/sim-state`,
		Args:    noArgs,
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSimServe(cmd.Context(), opts, *g)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

// simReady describes a running emulator, for --json.
type simReady struct {
	MessageType   string        `json:"message_type"` // "sim_ready"
	URL           string        `json:"url"`
	GraphURL      string        `json:"graph_url"`
	MDEURL        string        `json:"mde_url"`        // Defender for Endpoint API, for --mde-url
	AuthorityHost string        `json:"authority_host"` // for AZURE_AUTHORITY_HOST
	Authority     string        `json:"authority"`      // authority host + tenant ID
	TenantID      string        `json:"tenant_id"`
	Domain        string        `json:"domain"`
	ClientID      string        `json:"client_id"`
	ClientSecret  string        `json:"client_secret"` // emulator-only, printed on purpose
	CAFile        string        `json:"ca_file,omitempty"`
	Seed          uint64        `json:"seed"`
	State         string        `json:"state"`               // "loaded" or "generated"
	StateDir      string        `json:"state_dir,omitempty"` // with --state
	Users         []simUserJSON `json:"users"`
}

type simUserJSON struct {
	ID           string `json:"id"`
	UPN          string `json:"upn"`
	DisplayName  string `json:"display_name"`
	Folders      int    `json:"mail_folders"`
	Messages     int    `json:"messages"`
	Events       int    `json:"events"`
	Contacts     int    `json:"contacts"`
	Files        int    `json:"files"`
	DriveFolders int    `json:"drive_folders"`
	DriveBytes   int64  `json:"drive_bytes"`
}

// waitGrace bounds how long closing waits for Listener.Wait to return; the
// server has stopped by then, so it only covers the race described in
// runSimServe.
const waitGrace = 2 * time.Second

// simNote is printed with the credentials, because printing a secret is
// otherwise something this project never does.
const simNote = "Note: these are emulator-only credentials for a throwaway tenant in this process; never print a real tenant's secret."

func runSimServe(ctx context.Context, opts SimServeOptions, g GlobalOptions) error {
	lc, err := opts.limits()
	if err != nil {
		return err
	}
	srv, err := m365sim.New(m365sim.Options{Seed: opts.Seed, Users: opts.Users, TokenLifetime: opts.TokenLifetime,
		Limits: lc, StateDir: opts.State})
	if err != nil {
		return fmt.Errorf("start emulator: %w", err)
	}
	if err := importMail(srv, opts, g); err != nil {
		return err
	}
	l, err := m365sim.Listen(srv, m365sim.ListenOptions{Addr: opts.Addr, TLS: opts.TLS, CADir: opts.CADir})
	if err != nil {
		srv.Close()
		return fmt.Errorf("start emulator: %w", err)
	}
	// Wait reports a listener that fails on its own. Listener.Close and
	// Wait both receive the one serve result, and Wait hands it back, so a
	// Wait that is already blocked when Close runs returns. One that has not
	// yet started could miss it; closeListener then stops waiting after
	// waitGrace instead of hanging, and that goroutine ends with the process.
	served := make(chan error, 1)
	go func() { served <- l.Wait() }()
	closeListener := func() error {
		err := l.Close()
		select {
		case <-served:
		case <-time.After(waitGrace):
			g.Logger.Debug("emulator listener did not report its end; continuing")
		}
		return err
	}

	caFile, cleanup, err := writeCAFile(l, opts.CADir)
	if err != nil {
		return errors.Join(err, closeListener())
	}
	defer cleanup()
	ready := newSimReady(l, srv.Summary(), caFile, opts.State)
	if g.JSON {
		fmt.Fprintln(g.Stderr, simNote) // stdout carries only the JSON object
		err = g.printJSON(ready)
	} else {
		err = printSimReady(g, ready)
	}
	if err != nil {
		return errors.Join(err, closeListener())
	}
	g.Logger.Info("emulator serving", "url", l.URL, "users", len(ready.Users), "seed", ready.Seed, "state", ready.State)

	select {
	case <-ctx.Done():
		g.Logger.Info("emulator stopping")
		if err := closeListener(); err != nil {
			return fmt.Errorf("stop emulator: %w", err)
		}
		return nil
	case err := <-served:
		served <- err // for closeListener
		return errors.Join(fmt.Errorf("emulator stopped: %w", errOrUnexpected(err)), closeListener())
	}
}

func errOrUnexpected(err error) error {
	if err == nil {
		return errors.New("listener closed unexpectedly")
	}
	return err
}

// writeCAFile returns the path of the CA certificate clients should trust:
// the one in caDir, or a temporary copy that cleanup removes. Without TLS
// it returns "".
func writeCAFile(l *m365sim.Listener, caDir string) (path string, cleanup func(), err error) {
	cleanup = func() {}
	if l.CA == nil {
		return "", cleanup, nil
	}
	if caDir != "" {
		return filepath.Join(caDir, simtls.CertFile), cleanup, nil
	}
	dir, err := os.MkdirTemp("", "sg365-sim-")
	if err != nil {
		return "", cleanup, fmt.Errorf("write emulator ca: %w", err)
	}
	path = filepath.Join(dir, simtls.CertFile)
	if err := l.CA.WriteCAFile(path); err != nil {
		os.RemoveAll(dir)
		return "", cleanup, err
	}
	return path, func() { os.RemoveAll(dir) }, nil
}

func newSimReady(l *m365sim.Listener, sum m365sim.Summary, caFile, stateDir string) simReady {
	r := simReady{MessageType: "sim_ready", URL: l.URL, GraphURL: l.GraphURL, MDEURL: l.MDEURL, AuthorityHost: l.AuthorityHost,
		Authority: l.AuthorityHost + l.TenantID, TenantID: l.TenantID, Domain: sum.Domain,
		ClientID: l.ClientID, ClientSecret: l.ClientSecret, CAFile: caFile, Seed: sum.Seed,
		State: "generated", StateDir: stateDir, Users: make([]simUserJSON, 0, len(sum.Users))}
	if l.Server.StateLoaded() {
		r.State = "loaded"
	}
	for _, u := range sum.Users {
		r.Users = append(r.Users, simUserJSON{ID: u.ID, UPN: u.UPN, DisplayName: u.DisplayName,
			Folders: u.Folders, Messages: u.Messages, Events: u.Events, Contacts: u.Contacts,
			Files: u.Files, DriveFolders: u.DriveFolders, DriveBytes: u.DriveBytes})
	}
	return r
}

func printSimReady(g GlobalOptions, r simReady) error {
	var msgs, files int
	var bytes int64
	for _, u := range r.Users {
		msgs += u.Messages
		files += u.Files
		bytes += u.DriveBytes
	}
	example := ""
	if len(r.Users) > 0 {
		example = ", e.g. " + r.Users[0].UPN
	}
	ca := ""
	if r.CAFile != "" {
		ca = fmt.Sprintf("  CA certificate:  %s\n", r.CAFile)
	}
	state := "generated, in memory only (--state DIR keeps it)"
	switch {
	case r.StateDir != "" && r.State == "loaded":
		state = "loaded from " + r.StateDir
	case r.StateDir != "":
		state = "generated, saved in " + r.StateDir
	}
	_, err := fmt.Fprintf(g.Stdout, `SafeGuard365 emulator is running (seed %d).

  Graph URL:       %s
  MDE API URL:     %s
  Authority host:  %s
  Tenant ID:       %s
  Client ID:       %s
  Client secret:   %s
%s
  Tenant %s: %d users%s; %d messages, %d files (%s)
  Tenant state:    %s

%s
Press Ctrl-C to stop.
`, r.Seed, r.GraphURL, r.MDEURL, r.AuthorityHost, r.TenantID, r.ClientID, r.ClientSecret, ca,
		r.Domain, len(r.Users), example, msgs, files, formatBytes(bytes), state, simNote)
	return err
}

// formatBytes prints n in binary units, e.g. "12.3 MiB".
func formatBytes(n int64) string {
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

// importMail loads real mail into the emulated tenant before it serves.
func importMail(srv *m365sim.Server, opts SimServeOptions, g GlobalOptions) error {
	if opts.ImportMbox == "" && opts.ImportEML == "" {
		return nil
	}
	user, folder, ok := strings.Cut(opts.ImportTo, ":")
	if !ok {
		folder = "Inbox/Imported"
	}
	if user == "" {
		user = srv.Summary().Users[0].UPN
	}
	t := srv.Tenant()
	if opts.ImportMbox != "" {
		f, err := os.Open(opts.ImportMbox)
		if err != nil {
			return fmt.Errorf("--import-mbox: %w", err)
		}
		defer f.Close()
		n, err := tenant.ImportMbox(t, user, folder, f)
		if err != nil {
			return fmt.Errorf("import %s into %s:%s: %w", opts.ImportMbox, user, folder, err)
		}
		g.Logger.Info("imported mbox", "file", opts.ImportMbox, "messages", n, "user", user, "folder", folder)
	}
	if opts.ImportEML != "" {
		n, err := tenant.ImportEML(t, user, folder, opts.ImportEML)
		if err != nil {
			return fmt.Errorf("import %s into %s:%s: %w", opts.ImportEML, user, folder, err)
		}
		g.Logger.Info("imported eml files", "dir", opts.ImportEML, "messages", n, "user", user, "folder", folder)
	}
	return nil
}
