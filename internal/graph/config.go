package graph

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/safeguard365/safeguard365/internal/secret"
)

// Environment variables that override the configured endpoints. The CLI
// applies flags after ApplyEnv, giving flag > environment > config file.
const (
	EnvGraphURL      = "SG365_GRAPH_URL"
	EnvAuthorityHost = "AZURE_AUTHORITY_HOST" // the variable azidentity itself reads
)

// Config says which tenant to reach and how to authenticate. Exactly one of
// Secret, CertPath and ManagedIdentity selects the credential. The zero
// Cloud is CloudGlobal; AuthorityHost and GraphURL override the cloud's
// endpoints (the emulator sets both). CACerts adds trusted roots to the
// system pool, for the emulator's CA; it does not replace the system pool.
type Config struct {
	TenantID        string
	ClientID        string
	Secret          secret.Secret
	CertPath        string        // PEM or PFX/PKCS#12 holding an RSA key and its certificate
	CertPassword    secret.Secret // for an encrypted PFX
	ManagedIdentity bool          // ClientID, if set, selects a user-assigned identity
	Cloud           string
	AuthorityHost   string // e.g. https://login.microsoftonline.com/
	GraphURL        string // e.g. https://graph.microsoft.com/v1.0
	CACerts         *x509.CertPool
}

// ApplyEnv overrides GraphURL and AuthorityHost from SG365_GRAPH_URL and
// AZURE_AUTHORITY_HOST when they are set to non-empty values. lookup is
// os.LookupEnv in production.
func (c *Config) ApplyEnv(lookup func(string) (string, bool)) {
	if v, ok := lookup(EnvGraphURL); ok && strings.TrimSpace(v) != "" {
		c.GraphURL = strings.TrimSpace(v)
	}
	if v, ok := lookup(EnvAuthorityHost); ok && strings.TrimSpace(v) != "" {
		c.AuthorityHost = strings.TrimSpace(v)
	}
}

// tenantRE is the tenant syntax azidentity accepts: a GUID or a domain.
var tenantRE = regexp.MustCompile(`^[0-9a-zA-Z.-]+$`)

// Validate checks the configuration and returns every problem found, joined,
// in words a person running the CLI can act on.
func (c Config) Validate() error {
	var errs []error
	methods := 0
	if !c.Secret.IsZero() {
		methods++
	}
	if c.CertPath != "" {
		methods++
	}
	if c.ManagedIdentity {
		methods++
	}
	switch {
	case methods == 0:
		errs = append(errs, errors.New("no credential: set a client secret, a certificate path, or managed identity"))
	case methods > 1:
		errs = append(errs, errors.New("more than one credential: use exactly one of client secret, certificate, managed identity"))
	}
	if !c.ManagedIdentity {
		if c.TenantID == "" {
			errs = append(errs, errors.New("tenant id is required"))
		}
		if c.ClientID == "" {
			errs = append(errs, errors.New("client (application) id is required"))
		}
	}
	if c.TenantID != "" && !tenantRE.MatchString(c.TenantID) {
		errs = append(errs, fmt.Errorf("tenant id %q is not a GUID or domain name", c.TenantID))
	}
	if !c.CertPassword.IsZero() && c.CertPath == "" {
		errs = append(errs, errors.New("certificate password given without a certificate path"))
	}
	if err := c.validateEndpoints(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// validateEndpoints checks the cloud and endpoint URLs only; it is all that
// matters when the caller supplies its own credential.
func (c Config) validateEndpoints() error {
	var errs []error
	if _, ok := clouds[c.cloudName()]; !ok {
		names := make([]string, 0, len(clouds))
		for n := range clouds {
			names = append(names, n)
		}
		sort.Strings(names)
		errs = append(errs, fmt.Errorf("unknown cloud %q (want one of %s)", c.Cloud, strings.Join(names, ", ")))
	}
	if c.AuthorityHost != "" {
		u, err := url.Parse(c.AuthorityHost)
		switch {
		case err != nil || u.Host == "":
			errs = append(errs, fmt.Errorf("authority host %q is not an absolute URL", c.AuthorityHost))
		case u.Scheme != "https":
			// azidentity refuses anything else, with a less helpful message.
			errs = append(errs, fmt.Errorf("authority host %q must use https", c.AuthorityHost))
		}
	}
	if c.GraphURL != "" {
		u, err := url.Parse(c.GraphURL)
		switch {
		case err != nil || u.Host == "":
			errs = append(errs, fmt.Errorf("graph url %q is not an absolute URL", c.GraphURL))
		case u.Scheme == "https":
		case u.Scheme == "http" && isLoopback(u.Hostname()):
			// Plain HTTP is for tests against a local server only: a bearer
			// token must not cross a network in clear text.
		default:
			errs = append(errs, fmt.Errorf("graph url %q must use https (http only for loopback)", c.GraphURL))
		}
		if err == nil && (u.RawQuery != "" || u.Fragment != "") {
			errs = append(errs, fmt.Errorf("graph url %q must not have a query or fragment", c.GraphURL))
		}
	}
	return errors.Join(errs...)
}

func (c Config) cloudName() string {
	if c.Cloud == "" {
		return CloudGlobal
	}
	return strings.ToLower(c.Cloud)
}

// endpoints returns the authority host (with a trailing slash) and the Graph
// base URL (without one), applying the overrides.
func (c Config) endpoints() (authority, graphURL string) {
	ep := clouds[c.cloudName()]
	authority, graphURL = ep.authority, ep.graph
	if c.AuthorityHost != "" {
		authority = c.AuthorityHost
	}
	if !strings.HasSuffix(authority, "/") {
		authority += "/"
	}
	if c.GraphURL != "" {
		graphURL = c.GraphURL
	}
	return authority, strings.TrimRight(graphURL, "/")
}

// scope is the token scope for Graph: the .default scope of the national
// cloud's Graph resource. A GraphURL override changes where requests go,
// not which resource the token is for: Entra ID knows Graph by its
// identifier URI, whatever host (a proxy, the emulator) serves it.
func (c Config) scope() string { return graphScope(clouds[c.cloudName()].graph) }

// graphScope is the .default scope of the Graph root: the scope's host must
// be the national cloud's Graph host (national-clouds SDK page).
func graphScope(graphURL string) string {
	u, err := url.Parse(graphURL)
	if err != nil {
		return graphURL + "/.default"
	}
	return u.Scheme + "://" + u.Host + "/.default"
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
