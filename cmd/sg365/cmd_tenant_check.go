package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/access"
	"github.com/safeguard365/safeguard365/internal/config"
	"github.com/safeguard365/safeguard365/internal/graph"
)

// TenantCheckOptions are the flags of "sg365 tenant test".
type TenantCheckOptions struct {
	TenantFlags
	Guards []string // --guard: only these guards' capabilities (default: all)
}

// AddFlags registers the command's flags.
func (o *TenantCheckOptions) AddFlags(fs *pflag.FlagSet) {
	o.TenantFlags.AddFlags(fs)
	fs.StringSliceVar(&o.Guards, "guard", nil, "check only the capabilities of these `guards` ("+strings.Join(access.Guards(), ", ")+"; default: all)")
}

// Validate checks the flags.
func (o TenantCheckOptions) Validate() error {
	for _, g := range o.Guards {
		if !slices.ContainsFunc(access.Guards(), func(k string) bool { return strings.EqualFold(k, g) }) {
			return fmt.Errorf("--guard %q: want %s", g, strings.Join(access.Guards(), ", "))
		}
	}
	return nil
}

func newTenantCheckCommand(g *GlobalOptions) *cobra.Command {
	var opts TenantCheckOptions
	cmd := &cobra.Command{
		Use:   "test [--tenant NAME]",
		Short: "Sign in to a tenant, read a little, and report missing permissions",
		Long: withExitCodes(`Sign in to the tenant with its configured credential, read the organization,
one page of users, one mailbox's folders and one OneDrive, and compare the
application permissions the app registration was granted with what each
SafeGuard365 capability needs. Nothing is written to the tenant. --guard
limits the comparison to the parts you use (core is the sign-in and directory
reads every part needs).

Exit code 0 means everything is granted; 3 means the connection works but some
capabilities lack a permission (the report names the permission to add;
optional ones, which only improve a part, do not count); 1 means the sign-in or
a read failed. Defender for Endpoint API permissions (Machine.*, Alert.*) are
in another token and not checked here: "sg365 device scan" reports them.`),
		Example: "  sg365 tenant test --tenant contoso\n  sg365 tenant test --guard core,dataguard\n  SG365_CLIENT_SECRET_FILE=secret.txt sg365 tenant test --tenant-id contoso.onmicrosoft.com --client-id 00000000-…",
		Args:    noArgs,
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTenantCheck(cmd.Context(), opts, *g)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

// graphConfig turns resolved tenant settings into the Graph client's.
func graphConfig(s config.Settings) (graph.Config, error) {
	cfg := graph.Config{
		TenantID: s.TenantID, ClientID: s.ClientID, Secret: s.ClientSecret,
		CertPath: s.CertificatePath, CertPassword: s.CertificatePassword,
		ManagedIdentity: s.ManagedIdentity, Cloud: s.Cloud,
		AuthorityHost: s.AuthorityHost, GraphURL: s.GraphURL,
	}
	if s.CAFile != "" {
		pem, err := os.ReadFile(s.CAFile)
		if err != nil {
			return cfg, fmt.Errorf("read CA file: %w", err)
		}
		cfg.CACerts = x509.NewCertPool()
		if !cfg.CACerts.AppendCertsFromPEM(pem) {
			return cfg, fmt.Errorf("CA file %s holds no PEM certificate", s.CAFile)
		}
	}
	return cfg, nil
}

// checkStep is one line of the report.
type checkStep struct {
	MessageType string `json:"message_type"` // "check"
	Step        string `json:"step"`
	OK          bool   `json:"ok"`
	Detail      string `json:"detail"`
}

// errMissingPermissions marks a working connection with permissions to add.
var errMissingPermissions = fmt.Errorf("some capabilities lack a permission: %w", errPartial)

func runTenantCheck(ctx context.Context, opts TenantCheckOptions, g GlobalOptions) error {
	s, err := resolveTenant(g, opts.TenantFlags)
	if err != nil {
		return err
	}
	cfg, err := graphConfig(s)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("tenant %s: %w", s.TenantID, err)
	}
	c, err := graph.New(cfg, graph.Options{Logger: g.Logger})
	if err != nil {
		return fmt.Errorf("tenant %s: %w", s.TenantID, err)
	}
	steps, info, fatal := probeTenant(ctx, c, s)
	results := []access.Result{}
	if info != nil {
		results = access.Check(info.Roles, opts.Guards...)
	}
	if err := printTenantCheck(g, steps, results); err != nil {
		return err
	}
	if fatal != nil {
		return fatal
	}
	for _, r := range results {
		if !r.Granted && !r.Optional {
			return errMissingPermissions
		}
	}
	return nil
}

// probeTenant signs in and reads a little. It returns the steps run, the
// token's claims (nil when sign-in failed) and the first failure.
func probeTenant(ctx context.Context, c *graph.Client, s config.Settings) ([]checkStep, *graph.TokenInfo, error) {
	var steps []checkStep
	var first error
	step := func(name string, err error, detail string) bool {
		if err != nil {
			detail = explainGraphError(err)
			if first == nil {
				first = fmt.Errorf("%s: %w", name, err)
			}
		}
		steps = append(steps, checkStep{"check", name, err == nil, detail})
		return err == nil
	}
	info, err := c.TokenInfo(ctx)
	if !step("sign in", err, fmt.Sprintf("app %s (%s), credential from %s", s.ClientID, nameOr(info), s.CredentialFrom)) {
		return steps, nil, first
	}
	org, err := c.Organization(ctx)
	orgName := ""
	if org != nil {
		orgName = org.DisplayName
	}
	step("read organization", err, fmt.Sprintf("%q, tenant %s", orgName, info.TenantID))
	var user string
	n := 0
	var uerr error
	for u, err := range c.Users(ctx, &graph.ListOptions{Select: []string{"id", "userPrincipalName"}, Top: 5}) {
		if err != nil {
			uerr = err
			break
		}
		if user == "" {
			user = u.ID
		}
		if n++; n == 5 {
			break
		}
	}
	step("list users", uerr, fmt.Sprintf("read %d users", n))
	if user == "" {
		return steps, info, first
	}
	folders := 0
	var ferr error
	for _, err := range c.MailFolders(ctx, user, false) {
		if err != nil {
			ferr = err
			break
		}
		folders++
	}
	step("read a mailbox", ferr, fmt.Sprintf("%d top-level folders", folders))
	d, err := c.UserDrive(ctx, user)
	driveDetail := ""
	if d != nil {
		driveDetail = "drive " + d.DriveType
	}
	step("read a OneDrive", err, driveDetail)
	return steps, info, first
}

func nameOr(info *graph.TokenInfo) string {
	if info == nil || info.AppName == "" {
		return "unnamed"
	}
	return info.AppName
}

// explainGraphError says what an admin should do about a failed probe.
func explainGraphError(err error) string {
	switch {
	case graph.IsAuth(err):
		return "sign-in failed: check the tenant id, client id and credential (" + err.Error() + ")"
	case graph.IsPermission(err):
		return "access denied: grant the permission below and admin consent (" + err.Error() + ")"
	case graph.IsNotFound(err):
		return "not found: the user may have no mailbox or OneDrive licence (" + err.Error() + ")"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	}
	return err.Error()
}

func printTenantCheck(g GlobalOptions, steps []checkStep, results []access.Result) error {
	if g.JSON {
		for _, s := range steps {
			if err := g.printJSON(s); err != nil {
				return err
			}
		}
		for _, r := range results {
			if err := g.printJSON(struct {
				MessageType string `json:"message_type"`
				access.Result
			}{"permission", r}); err != nil {
				return err
			}
		}
		return nil
	}
	w := g.Stdout
	for _, s := range steps {
		mark := "ok  "
		if !s.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%s  %-18s %s\n", mark, s.Step, s.Detail)
	}
	if len(results) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nPermissions (application, admin-consented):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "GUARD\tCAPABILITY\tSTATUS\t")
	for _, r := range results {
		status := "granted by " + r.By
		switch {
		case !r.Granted && r.Optional:
			status = "optional, not granted: " + r.Missing + " would add it"
		case !r.Granted:
			status = "MISSING: add " + r.Missing
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", r.Guard, r.Capability, status)
	}
	return tw.Flush()
}
