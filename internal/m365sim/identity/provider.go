package identity

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Provider is an emulated Microsoft identity platform. Create it with New;
// the zero value is not usable. A Provider is safe for concurrent use: the
// run-time fault methods may be called while Handler serves requests.
type Provider struct {
	now       func() time.Time
	publicURL *url.URL // nil: derive from each request

	key     *rsa.PrivateKey
	keyID   string // kid and x5t of issued tokens
	keyCert []byte // DER of a self-signed certificate for key, for the JWKS x5c

	tenants map[string]*tenant // by lower-cased tenant ID and domain name

	mu             sync.Mutex
	apps           map[string]*app // by lower-cased client ID
	lifetime       time.Duration   // 0: random 60-90 minutes
	lifetimeRNG    *mrand.Rand     // draws default lifetimes only, so they depend on the token sequence alone
	rng            *mrand.Rand     // draws IDs
	serial         uint64          // serial of the last token issued
	expiredThrough uint64          // tokens with serial <= this are expired
}

type tenant struct {
	id      string
	domains []string
}

// names lists every name the tenant answers to, ID first.
func (t *tenant) names() []string { return append([]string{t.id}, t.domains...) }

type app struct {
	clientID    string
	displayName string
	secrets     []ClientSecret
	certs       []*x509.Certificate
	roles       []string
	tenants     map[string]bool // lower-cased tenant IDs; nil means all
	disabled    bool
}

// New validates cfg and returns a Provider serving it. It generates a signing
// key unless cfg.SigningKey is set.
func New(cfg Config) (*Provider, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("identity config: %w", err)
	}
	p := &Provider{
		now:      cfg.Now,
		key:      cfg.SigningKey,
		tenants:  map[string]*tenant{},
		apps:     map[string]*app{},
		lifetime: cfg.TokenLifetime,
		// Two streams from one seed: lifetimes stay repeatable however
		// many error responses or metadata requests draw IDs in between.
		lifetimeRNG: mrand.New(mrand.NewPCG(cfg.Seed, 0x6c696665)),
		rng:         mrand.New(mrand.NewPCG(cfg.Seed, 0x69647321)),
	}
	if p.now == nil {
		p.now = time.Now
	}
	if cfg.PublicURL != "" {
		p.publicURL, _ = parsePublicURL(cfg.PublicURL) // validated above
	}
	if p.key == nil {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("generate token signing key: %w", err)
		}
		p.key = k
	}
	if err := p.initKeyCert(); err != nil {
		return nil, err
	}
	for _, t := range cfg.Tenants {
		tt := &tenant{id: strings.ToLower(t.ID)}
		for _, d := range t.Domains {
			tt.domains = append(tt.domains, strings.ToLower(d))
		}
		for _, n := range tt.names() {
			p.tenants[n] = tt
		}
	}
	for _, a := range cfg.Apps {
		aa := &app{
			clientID:    strings.ToLower(a.ClientID),
			displayName: a.DisplayName,
			secrets:     slices.Clone(a.Secrets),
			certs:       slices.Clone(a.Certificates),
			roles:       normaliseRoles(a.Roles),
		}
		if len(a.Tenants) > 0 {
			aa.tenants = map[string]bool{}
			for _, t := range a.Tenants {
				aa.tenants[strings.ToLower(t)] = true
			}
		}
		p.apps[aa.clientID] = aa
	}
	return p, nil
}

// initKeyCert wraps the signing key in a self-signed certificate, because
// Entra ID's JWKS publishes each key with an x5c chain and a kid equal to the
// certificate's base64url SHA-1 thumbprint.
func (p *Provider) initKeyCert() error {
	// The certificate only carries the key for x5t/x5c; its dates are fixed
	// so that the same key always gives the same certificate (RSA PKCS#1
	// v1.5 signatures are deterministic), hence the same key id, and tokens
	// signed before an emulator restart with a saved key stay valid.
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "m365sim token signing"},
		NotBefore:    time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &p.key.PublicKey, p.key)
	if err != nil {
		return fmt.Errorf("self-sign token signing key: %w", err)
	}
	sum := sha1.Sum(der) // x5t is a SHA-1 thumbprint by definition (RFC 7515 §4.1.7)
	p.keyCert = der
	p.keyID = base64.RawURLEncoding.EncodeToString(sum[:])
	return nil
}

func normaliseRoles(roles []string) []string {
	out := make([]string, 0, len(roles))
	for _, r := range roles {
		if r != "" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// lookupTenant resolves a {tenant} path segment: a tenant ID or a verified
// domain, compared without regard to case.
func (p *Provider) lookupTenant(name string) *tenant {
	return p.tenants[strings.ToLower(name)]
}

// snapshotApp copies an app's state under p.mu, so a request works with
// consistent values while faults change the app. Secrets and certificates are
// never mutated after New, so sharing their slices is safe.
func (p *Provider) snapshotApp(clientID string) (app, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	a, ok := p.apps[strings.ToLower(clientID)]
	if !ok {
		return app{}, false
	}
	c := *a
	c.roles = slices.Clone(a.roles)
	return c, true
}

// installedIn reports whether the app has a service principal in tenant t.
func (a *app) installedIn(t *tenant) bool {
	return a.tenants == nil || a.tenants[t.id]
}
