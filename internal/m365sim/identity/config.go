package identity

import (
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Config describes the tenants and app registrations a Provider serves.
// New copies it; later changes to the Config do not affect the Provider.
type Config struct {
	Tenants []Tenant
	Apps    []App

	// TokenLifetime fixes the lifetime of every access token. Zero means
	// Entra ID's default: "a random value ranging between 60-90 minutes"
	// (https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#token-lifetime),
	// drawn from Seed. Tests set a short value (for example 2m) so that
	// refresh paths run.
	TokenLifetime time.Duration

	// Seed makes random lifetimes and generated IDs repeatable: two providers
	// with the same Seed issuing tokens in the same order draw the same values.
	Seed uint64

	// Now is the clock for token lifetimes and assertion checks; nil means
	// time.Now. Tests inject a fake clock.
	Now func() time.Time

	// PublicURL, such as "https://login.microsoftonline.com", fixes the
	// scheme and host the metadata, assertion audiences and Graph's
	// WWW-Authenticate challenge use. Empty means each request's own scheme
	// (TLS or not) and Host header, except that a Graph request arriving as
	// graph.microsoft.com is pointed at login.microsoftonline.com.
	PublicURL string

	// SigningKey signs access tokens. Nil generates a 2048-bit key in New.
	// Pass a stored key to keep tokens valid across emulator restarts.
	SigningKey *rsa.PrivateKey
}

// Tenant is one directory.
type Tenant struct {
	ID      string   // GUID, e.g. "72f988bf-86f1-41af-91ab-2d7cd011db47"
	Domains []string // verified domain names, e.g. "contoso.onmicrosoft.com"
}

// App is an app registration with its service principal's permission grants.
type App struct {
	ClientID     string // GUID
	DisplayName  string
	Secrets      []ClientSecret
	Certificates []*x509.Certificate // RSA, at least 2048 bits
	// Roles are the application permissions granted to the app, such as
	// "Mail.Read" or "User.Read.All"; they become the token's "roles" claim.
	Roles []string
	// Tenants lists the IDs of the tenants where the app has a service
	// principal (is consented). Empty means every configured tenant, which is
	// how an MSP's multitenant app looks after admin consent in each customer.
	Tenants []string
}

// ClientSecret is one password credential of an app.
type ClientSecret struct {
	Value   Secret
	Expires time.Time // zero: never
}

// reservedTenants are path segments Entra ID treats as tenant-independent
// authorities rather than directories.
var reservedTenants = map[string]bool{"common": true, "organizations": true, "consumers": true}

// minRSABits is the smallest certificate key Entra ID accepts; smaller keys
// fail with AADSTS50032 WeakRsaKey (reference-error-codes).
const minRSABits = 2048

func (c *Config) validate() error {
	if len(c.Tenants) == 0 {
		return errors.New("no tenants configured")
	}
	if c.TokenLifetime < 0 {
		return fmt.Errorf("token lifetime %v is negative", c.TokenLifetime)
	}
	if k := c.SigningKey; k != nil {
		if err := k.Validate(); err != nil {
			return fmt.Errorf("signing key: %w", err)
		}
		if k.N.BitLen() < minRSABits {
			return fmt.Errorf("signing key has %d bits, want at least %d", k.N.BitLen(), minRSABits)
		}
	}
	if c.PublicURL != "" {
		if _, err := parsePublicURL(c.PublicURL); err != nil {
			return err
		}
	}
	names := map[string]string{} // lower-cased tenant ID or domain -> tenant ID
	for _, t := range c.Tenants {
		if err := t.validate(names); err != nil {
			return err
		}
	}
	clients := map[string]bool{}
	for _, a := range c.Apps {
		if err := a.validate(names); err != nil {
			return err
		}
		id := strings.ToLower(a.ClientID)
		if clients[id] {
			return fmt.Errorf("app %s: client id registered twice", a.ClientID)
		}
		clients[id] = true
	}
	return nil
}

func (t Tenant) validate(names map[string]string) error {
	if !isGUID(t.ID) {
		return fmt.Errorf("tenant id %q is not a GUID", t.ID)
	}
	all := append([]string{t.ID}, t.Domains...)
	for i, n := range all {
		key := strings.ToLower(n)
		if i > 0 && !validDomain(key) {
			return fmt.Errorf("tenant %s: %q is not a domain name", t.ID, n)
		}
		if prev, ok := names[key]; ok {
			return fmt.Errorf("tenant %s: name %q already names tenant %s", t.ID, n, prev)
		}
		names[key] = t.ID
	}
	return nil
}

// validDomain accepts what MSAL accepts as a tenant segment
// (^[0-9a-zA-Z-.]+$), minus GUIDs and the reserved authorities.
func validDomain(d string) bool {
	if d == "" || isGUID(d) || reservedTenants[d] || !strings.Contains(d, ".") {
		return false
	}
	for _, c := range d {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func (a App) validate(tenantNames map[string]string) error {
	if !isGUID(a.ClientID) {
		return fmt.Errorf("app client id %q is not a GUID", a.ClientID)
	}
	for i, s := range a.Secrets {
		if s.Value.Reveal() == "" {
			return fmt.Errorf("app %s: secret %d is empty", a.ClientID, i)
		}
	}
	for i, c := range a.Certificates {
		if c == nil {
			return fmt.Errorf("app %s: certificate %d is nil", a.ClientID, i)
		}
		pub, ok := c.PublicKey.(*rsa.PublicKey)
		if !ok {
			return fmt.Errorf("app %s: certificate %d: key is %T, want RSA", a.ClientID, i, c.PublicKey)
		}
		if pub.N.BitLen() < minRSABits {
			return fmt.Errorf("app %s: certificate %d: RSA key has %d bits, want at least %d",
				a.ClientID, i, pub.N.BitLen(), minRSABits)
		}
	}
	for _, t := range a.Tenants {
		if id, ok := tenantNames[strings.ToLower(t)]; !ok || !strings.EqualFold(id, t) {
			return fmt.Errorf("app %s: tenant %q is not a configured tenant id", a.ClientID, t)
		}
	}
	return nil
}

// parsePublicURL accepts scheme://host[:port] with an optional trailing
// slash. A path is refused because MSAL reads the first path segment of an
// authority as the tenant.
func parsePublicURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("public url: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("public url %q: want scheme://host[:port]", s)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("public url %q: must not have a path, query, fragment or user", s)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}
