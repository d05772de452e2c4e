package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/config"
	"github.com/safeguard365/safeguard365/internal/posture"
	"github.com/safeguard365/safeguard365/internal/secret"
	"github.com/safeguard365/safeguard365/internal/userguard"
)

// envADBindPassword holds the AD bind password when --bind-password-file
// is not given.
const envADBindPassword = "SG365_AD_BIND_PASSWORD"

// identityFormats are the values of "identity scan --format".
var identityFormats = []string{"table", "json", "html"}

func newIdentityCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "identity",
		Short: "Assess identities: Entra ID, Defender for Identity and Active Directory (UserGuard)",
		Long: withExitCodes(`UserGuard grades identities against its rule packs. "identity scan" reads
the tenant's Entra ID and Defender for Identity signals through Graph and
checks them against the identity pack (I1 to I15); with --ad it also reads an
Active Directory domain over LDAP and checks it against the AD pack (SG.AD.1
to SG.AD.22). Alerts are under "sg365 alerts", response actions under
"sg365 respond user".`),
	}
	groupCommand(cmd)
	cmd.AddCommand(newIdentityScanCommand(g))
	return cmd
}

// IdentityScanOptions are the flags of "sg365 identity scan". The tenant's
// cloud identity is scanned unless --no-cloud; Active Directory when --ad
// is given.
type IdentityScanOptions struct {
	TenantFlags
	NoCloud            bool   // --no-cloud: skip Entra ID and Defender for Identity
	AsOf               string // --as-of: measure cloud ages from this time
	AD                 string // --ad: ldaps://dc or ldap://dc with --start-tls
	BindUser           string
	BindPasswordFile   string
	BaseDN             string
	CAFile             string
	TLSServerName      string
	StartTLS           bool
	InsecureSkipVerify bool
	Inventory          string // --inventory: grade a saved inventory instead of collecting
	SaveInventory      string // --save-inventory: also write the collected inventory here
	Format             string
	FailOn             string

	now func() time.Time // tests; default time.Now
}

// AddFlags registers the command's flags.
func (o *IdentityScanOptions) AddFlags(fs *pflag.FlagSet) {
	// The tenant flags, except --ca-file: the AD flag of that name (below)
	// predates the cloud scan, and its CAs are trusted for Graph as well.
	tf := pflag.NewFlagSet("tenant", pflag.ContinueOnError)
	o.TenantFlags.AddFlags(tf)
	tf.VisitAll(func(f *pflag.Flag) {
		if f.Name != "ca-file" {
			fs.AddFlag(f)
		}
	})
	fs.BoolVar(&o.NoCloud, "no-cloud", false, "do not scan the tenant's Entra ID and Defender for Identity (checks I1–I15); needs --ad")
	fs.StringVar(&o.AsOf, "as-of", "", "measure cloud ages and windows from this RFC 3339 `time` instead of now (for emulated or replayed data)")
	fs.StringVar(&o.AD, "ad", "", "scan the Active Directory domain at `url` (ldaps://dc.example.com, or ldap://… with --start-tls)")
	fs.StringVar(&o.BindUser, "bind-user", "", "LDAP simple-bind `user` (reader@example.com, EXAMPLE\\reader or a DN); read access is enough")
	fs.StringVar(&o.BindPasswordFile, "bind-password-file", "", "read the bind password from `file` (default: $"+envADBindPassword+")")
	fs.StringVar(&o.BaseDN, "base-dn", "", "domain `dn` to read (default: the server's defaultNamingContext)")
	fs.StringVar(&o.CAFile, "ca-file", "", "trust the CA certificates in PEM `file` for the DC's certificate (and Graph's, e.g. a TLS proxy's; default for Graph: $"+config.EnvCAFile+")")
	fs.StringVar(&o.TLSServerName, "tls-server-name", "", "check the DC certificate for `name` instead of the URL's host")
	fs.BoolVar(&o.StartTLS, "start-tls", false, "upgrade an ldap:// connection with StartTLS")
	fs.BoolVar(&o.InsecureSkipVerify, "insecure-skip-verify", false, "do not verify the DC's TLS certificate (testing only: the password can then be intercepted)")
	fs.StringVar(&o.Inventory, "inventory", "", "grade the saved inventory `file` instead of collecting")
	fs.StringVar(&o.SaveInventory, "save-inventory", "", "also write the collected inventory to `file` (it lists accounts: keep it private)")
	fs.StringVar(&o.Format, "format", "table", "output `format`: table, json or html")
	fs.StringVar(&o.FailOn, "fail-on", "", "exit with code 4 if a rule of this `severity` or worse fails: critical, high, medium or low")
}

// Validate checks the flags; it does not read the password.
func (o *IdentityScanOptions) Validate() error {
	switch {
	case o.NoCloud && o.AD == "" && o.Inventory == "":
		return errors.New("nothing to scan: --no-cloud needs --ad URL")
	case o.AD != "" && o.Inventory != "":
		return errors.New("--ad and --inventory exclude each other")
	case o.AD != "" && o.BindUser == "":
		return errors.New("--ad needs --bind-user")
	case o.AD == "" && (o.BindUser != "" || o.BindPasswordFile != "" || o.BaseDN != "" || o.StartTLS || o.InsecureSkipVerify):
		return errors.New("the LDAP flags need --ad")
	case o.SaveInventory != "" && o.Inventory != "":
		return errors.New("--save-inventory and --inventory exclude each other")
	case !slices.Contains(identityFormats, o.Format):
		return fmt.Errorf("--format %q: want %s", o.Format, strings.Join(identityFormats, ", "))
	}
	if err := checkFailOn(o.FailOn); err != nil {
		return err
	}
	if err := checkAsOf(o.AsOf); err != nil {
		return err
	}
	return nil
}

func newIdentityScanCommand(g *GlobalOptions) *cobra.Command {
	var opts IdentityScanOptions
	cmd := &cobra.Command{
		Use:   "scan [--ad URL --bind-user USER [--bind-password-file FILE] [--base-dn DN] [--ca-file F] [--start-tls]] [--no-cloud] [--format F] [--fail-on SEVERITY]",
		Short: "Check Entra ID, Defender for Identity and Active Directory for weaknesses and score them",
		Long: `Read the tenant's identity signals through Microsoft Graph and grade them
against the 15 rules of the identity pack (I1 to I15): administrators and
users without MFA or a phishing-resistant method, Global Administrator count,
standing privileged assignments, high-risk users and service principals,
leaked credentials and password spray, legacy authentication, sign-ins
without Conditional Access, stale accounts, Secure Score identity controls,
open Defender for Identity and Identity Protection alerts, Defender for
Identity sensor health and recent role changes. The app needs read
permissions only (AuditLog.Read.All, User.Read.All, RoleManagement.Read.Directory,
IdentityRiskyUser.Read.All, IdentityRiskEvent.Read.All,
IdentityRiskyServicePrincipal.Read.All, SecurityEvents.Read.All,
SecurityAlert.Read.All, SecurityIdentitiesSensors.Read.All,
SecurityIdentitiesHealth.Read.All); a source it cannot read is reported with
the permission it lacks, and the rules that need it report error.

With --ad, also read an Active Directory domain over LDAP and grade it
against the 22 rules of the AD pack: krbtgt key age, AS-REP and Kerberoasting exposure, delegation,
privileged account hygiene, stale accounts, SID history, LAPS, password
policy, machine account quota, DCSync rights, trusts and more. Results come
with the objects behind them (sAMAccountName and DN) and a risk score per
category (stale objects, privileged accounts, trusts and delegation,
anomalies; 0 is best, 100 worst).

The connection is LDAPS (ldaps://) or LDAP with --start-tls, with a simple
bind; plain LDAP is refused because it would send the password in clear text.
The password comes from --bind-password-file or $` + envADBindPassword + `, never from a
flag value. The account needs read access only; nothing is written.

--inventory grades a saved inventory (see --save-inventory and
docs/inventory.md) without connecting. Each part gets a risk score. --format json writes the report and
the score as one document; with the global --json flag and the table format,
one JSON object per rule (message_type "result"), then "score" and "summary".

Exit codes:
  0    the scan ran (rules may have failed; see --fail-on)
  1    fatal error (connection, TLS, bind, unreadable inventory)
  2    usage error (bad flag or argument); nothing was done
  4    a rule at or above the --fail-on severity failed (warnings and
       errors do not count)
  130  interrupted (SIGINT or SIGTERM)`,
		Example: "  sg365 identity scan --tenant contoso --fail-on high\n" +
			"  SG365_AD_BIND_PASSWORD=… sg365 identity scan --ad ldaps://dc1.corp.example --bind-user reader@corp.example\n" +
			"  sg365 identity scan --ad ldap://dc1 --start-tls --ca-file corp-ca.pem --bind-user reader@corp.example \\\n" +
			"      --bind-password-file ~/.sg365/ad.pw --format html > ad.html --fail-on high",
		Args:    noArgs,
		PreRunE: validating(func() error { return opts.Validate() }),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runIdentityScan(cmd.Context(), opts, *g)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

// bindPassword reads the password from the file or the environment.
func (o *IdentityScanOptions) bindPassword() (secret.Secret, error) {
	if o.BindPasswordFile != "" {
		return secret.FromFile(o.BindPasswordFile)
	}
	if s, ok := secret.FromEnv(envADBindPassword); ok {
		return s, nil
	}
	return secret.Secret{}, fmt.Errorf("no bind password: give --bind-password-file or set $%s", envADBindPassword)
}

// identityScan is the outcome of one scan, as --format json writes it.
type identityScan struct {
	SchemaVersion int                `json:"schemaVersion"` // 1
	Report        *posture.Report    `json:"report"`
	ADScore       *userguard.ADScore `json:"adScore,omitempty"`
	CloudScore    *userguard.ADScore `json:"cloudScore,omitempty"` // same shape, cloud categories
}

func runIdentityScan(ctx context.Context, opts IdentityScanOptions, g GlobalOptions) error {
	now := opts.now
	if now == nil {
		now = time.Now
	}
	var inv *posture.Inventory
	if opts.Inventory != "" {
		var err error
		if inv, err = posture.LoadInventory(opts.Inventory); err != nil {
			return fmt.Errorf("load inventory: %w", err)
		}
	} else {
		var err error
		if inv, err = collectIdentity(ctx, opts, g, now); err != nil {
			return err
		}
		if opts.SaveInventory != "" {
			if err := writeFileAtomic(opts.SaveInventory, func(w io.Writer) error {
				enc := json.NewEncoder(w)
				enc.SetIndent("", " ")
				return enc.Encode(inv)
			}); err != nil {
				return err
			}
		}
	}
	_, hasAD := inv.Sources[userguard.ADSourceKey]
	_, hasCloud := inv.Sources[userguard.SourceRegistration]
	var packs []string
	if hasAD {
		packs = append(packs, userguard.ADPack)
	}
	if hasCloud {
		packs = append(packs, userguard.CloudPack)
	}
	if len(packs) == 0 {
		return errors.New("the inventory holds neither Active Directory nor cloud identity sources")
	}
	eng, err := posture.New(ctx, posture.Options{Packs: packs, Now: now})
	if err != nil {
		return err
	}
	rep, err := eng.Evaluate(ctx, inv, nil)
	if err != nil {
		return err
	}
	scan := identityScan{SchemaVersion: 1, Report: rep}
	if inv.SourceState(userguard.ADSourceKey).Status == posture.SourceOK {
		s := userguard.ScoreAD(rep.Results)
		scan.ADScore = &s
	}
	if hasCloud {
		s := userguard.ScoreCloud(rep.Results)
		scan.CloudScore = &s
	}
	var hit []posture.Result
	if opts.FailOn != "" {
		sev, _ := posture.ParseSeverity(opts.FailOn) // checked by Validate
		hit = rep.FailOn(sev)
	}
	if err := writeIdentityScan(g, opts.Format, scan, len(hit)); err != nil {
		return err
	}
	if n := rep.Summary.ByStatus[posture.StatusError]; n > 0 {
		g.Logger.Warn("some rules could not be evaluated; their result is unknown", "rules", n)
	}
	if len(hit) > 0 {
		ids := make([]string, len(hit))
		for i, r := range hit {
			ids[i] = r.Rule.ID
		}
		return fmt.Errorf("%d rule(s) failed at %s or worse (%s): %w", len(hit), opts.FailOn, strings.Join(ids, ", "), errFailOn)
	}
	return nil
}

// collectIdentity reads Active Directory (with --ad) and then the tenant's
// cloud identity (unless --no-cloud) into one inventory; their source keys
// do not overlap.
func collectIdentity(ctx context.Context, opts IdentityScanOptions, g GlobalOptions, now func() time.Time) (*posture.Inventory, error) {
	var inv *posture.Inventory
	if opts.AD != "" {
		pw, err := opts.bindPassword()
		if err != nil {
			return nil, err
		}
		if opts.InsecureSkipVerify {
			g.Logger.Warn("TLS certificate verification is off (--insecure-skip-verify): the bind password can be intercepted")
		}
		g.Logger.Info("reading Active Directory", "url", opts.AD, "user", opts.BindUser)
		inv, _, err = userguard.CollectAD(ctx, userguard.ADConfig{URL: opts.AD, StartTLS: opts.StartTLS, BindUser: opts.BindUser,
			BindPassword: pw, BaseDN: opts.BaseDN, CAFile: opts.CAFile, TLSServerName: opts.TLSServerName,
			InsecureSkipVerify: opts.InsecureSkipVerify, Now: now})
		if err != nil {
			return nil, fmt.Errorf("active directory: %w", err)
		}
	}
	if opts.NoCloud {
		return inv, nil
	}
	cloudNow := now
	if opts.AsOf != "" {
		at, _ := time.Parse(time.RFC3339, opts.AsOf) // checked by Validate
		cloudNow = func() time.Time { return at }
	}
	tf := opts.TenantFlags
	if opts.CAFile != "" {
		tf.CAFile = opts.CAFile
	}
	tc, err := connectTenant(ctx, g, tf)
	if err != nil {
		return nil, err
	}
	s, c, tenantID := tc.Settings, tc.Graph, tc.TenantID
	g.Logger.Info("reading the tenant's identity signals", "tenant", tenantID)
	cloud, err := userguard.CollectCloud(ctx, c, userguard.CloudOptions{TenantID: tenantID, TenantName: s.Name, Now: cloudNow})
	if err != nil {
		return nil, err
	}
	for _, k := range slices.Sorted(maps.Keys(cloud.Sources)) {
		if st := cloud.Sources[k]; st.Status == posture.SourceError {
			g.Logger.Warn("source not collected", "source", k, "error", st.Error)
		}
	}
	if inv == nil {
		return cloud, nil
	}
	// One inventory: the AD source joins the cloud ones; the tenant and
	// collection time are the cloud's.
	for k, st := range inv.Sources {
		cloud.Sources[k] = st
		if d, ok := inv.Data[k]; ok {
			cloud.Data[k] = d
		}
	}
	return cloud, nil
}

// identityCloudScoreJSON is the cloud score line of --json output.
type identityCloudScoreJSON struct {
	MessageType string            `json:"message_type"` // "score"
	CloudScore  userguard.ADScore `json:"cloud_score"`
}

// identityScoreJSON is the score line of --json output.
type identityScoreJSON struct {
	MessageType string            `json:"message_type"` // "score"
	ADScore     userguard.ADScore `json:"ad_score"`
}

func writeIdentityScan(g GlobalOptions, format string, scan identityScan, hit int) error {
	rep := scan.Report
	switch {
	case g.JSON && format == "table":
		for _, r := range rep.Results {
			if err := g.printJSON(assessResultJSON{"result", r.Rule.ID, r.Rule.Title, r.Rule.Severity, r.Status,
				r.Summary, r.Reason, r.Evidence, r.FindingIDs}); err != nil {
				return err
			}
		}
		if scan.ADScore != nil {
			if err := g.printJSON(identityScoreJSON{"score", *scan.ADScore}); err != nil {
				return err
			}
		}
		if scan.CloudScore != nil {
			if err := g.printJSON(identityCloudScoreJSON{"score", *scan.CloudScore}); err != nil {
				return err
			}
		}
		return g.printJSON(assessSummaryJSON{"summary", rep.Tenant.ID, rep.Summary, hit})
	case format == "json":
		enc := json.NewEncoder(g.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(scan)
	case format == "html":
		var buf bytes.Buffer
		if err := posture.WriteHTML(&buf, rep); err != nil {
			return err
		}
		html := buf.String()
		var sb strings.Builder
		if scan.ADScore != nil {
			writeScoreText(&sb, "Active Directory", *scan.ADScore)
		}
		if scan.CloudScore != nil {
			writeScoreText(&sb, "Cloud identity", *scan.CloudScore)
		}
		if sb.Len() > 0 {
			// The score holds only numbers and fixed names; nothing to escape.
			block := `<section class="score"><h2>Identity risk score</h2><pre>` + sb.String() + `</pre></section>`
			html = strings.Replace(html, "<body>", "<body>\n"+block, 1)
		}
		_, err := io.WriteString(g.Stdout, html)
		return err
	}
	if err := posture.WriteTable(g.Stdout, rep); err != nil {
		return err
	}
	if err := writeFindings(g.Stdout, rep); err != nil {
		return err
	}
	if scan.ADScore != nil {
		fmt.Fprintln(g.Stdout)
		writeScoreText(g.Stdout, "Active Directory", *scan.ADScore)
	}
	if scan.CloudScore != nil {
		fmt.Fprintln(g.Stdout)
		writeScoreText(g.Stdout, "Cloud identity", *scan.CloudScore)
	}
	return nil
}

// writeFindings lists the objects behind each failed or warning rule.
func writeFindings(w io.Writer, rep *posture.Report) error {
	first := true
	for _, r := range rep.Results {
		if (r.Status != posture.StatusFail && r.Status != posture.StatusWarning) || len(r.Evidence) == 0 {
			continue
		}
		if first {
			fmt.Fprintln(w, "\nFindings:")
			first = false
		}
		fmt.Fprintf(w, "  %s %s (%s): %s\n", r.Rule.ID, r.Rule.Title, r.Rule.Severity, r.Summary)
		for _, e := range r.Evidence {
			if _, err := fmt.Fprintf(w, "    - %s %s (%s): %s\n", e.Type, e.DisplayName, e.ID, e.Detail); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeScoreText prints a score and its categories under a heading
// ("Active Directory", "Cloud identity").
func writeScoreText(w io.Writer, what string, s userguard.ADScore) {
	fmt.Fprintf(w, "%s risk score: %d/100 (%s; 0 is best)\n", what, s.Global, s.Rating)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range s.Categories {
		var rules []string
		for _, r := range c.Rules {
			rules = append(rules, fmt.Sprintf("%s +%d", r.RuleID, r.Points))
		}
		fmt.Fprintf(tw, "  %s\t%d\t%s\n", c.Category, c.Score, strings.Join(rules, ", "))
	}
	tw.Flush()
	if len(s.Unknown) > 0 {
		fmt.Fprintf(w, "  not scored (rule error): %s\n", strings.Join(s.Unknown, ", "))
	}
}
