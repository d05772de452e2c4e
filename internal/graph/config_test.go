package graph

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/secret"
)

func TestConfigValidate(t *testing.T) {
	ok := Config{TenantID: "contoso.onmicrosoft.com", ClientID: "app", Secret: secret.New("s")}
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		want []string // substrings of the error; none means valid
	}{
		{"secret", func(*Config) {}, nil},
		{"certificate", func(c *Config) { c.Secret = secret.Secret{}; c.CertPath = "/x.pem" }, nil},
		{"managed identity needs no tenant", func(c *Config) { *c = Config{ManagedIdentity: true} }, nil},
		{"national cloud", func(c *Config) { c.Cloud = "usgovdod" }, nil},
		{"emulator endpoints", func(c *Config) {
			c.AuthorityHost, c.GraphURL = "https://127.0.0.1:8443/", "https://127.0.0.1:8443/v1.0"
		}, nil},
		{"plain http loopback graph", func(c *Config) { c.GraphURL = "http://127.0.0.1:8080/v1.0" }, nil},
		{"no credential", func(c *Config) { c.Secret = secret.Secret{} }, []string{"no credential"}},
		{"two credentials", func(c *Config) { c.CertPath = "/x.pem" }, []string{"more than one credential"}},
		{"missing ids", func(c *Config) { c.TenantID, c.ClientID = "", "" }, []string{"tenant id is required", "client (application) id is required"}},
		{"bad tenant", func(c *Config) { c.TenantID = "contoso/../x" }, []string{"not a GUID or domain"}},
		{"password without cert", func(c *Config) { c.CertPassword = secret.New("p") }, []string{"certificate password given without"}},
		{"unknown cloud", func(c *Config) { c.Cloud = "moon" }, []string{`unknown cloud "moon"`, "global"}},
		{"http authority", func(c *Config) { c.AuthorityHost = "http://login.example/" }, []string{"must use https"}},
		{"relative graph url", func(c *Config) { c.GraphURL = "/v1.0" }, []string{"not an absolute URL"}},
		{"remote http graph", func(c *Config) { c.GraphURL = "http://graph.example/v1.0" }, []string{"must use https"}},
		{"graph url with query", func(c *Config) { c.GraphURL = "https://graph.example/v1.0?x=1" }, []string{"query"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.mod(&c)
			err := c.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, missing %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error leaks a secret")
			}
		})
	}
}

func TestConfigEndpoints(t *testing.T) {
	for _, tc := range []struct {
		cfg             Config
		authority, base string
	}{
		{Config{}, "https://login.microsoftonline.com/", "https://graph.microsoft.com/v1.0"},
		{Config{Cloud: "USGov"}, "https://login.microsoftonline.us/", "https://graph.microsoft.us/v1.0"},
		{Config{Cloud: "usgovdod"}, "https://login.microsoftonline.us/", "https://dod-graph.microsoft.us/v1.0"},
		{Config{Cloud: "china"}, "https://login.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn/v1.0"},
		{Config{AuthorityHost: "https://127.0.0.1:9/", GraphURL: "https://127.0.0.1:9/v1.0/"}, "https://127.0.0.1:9/", "https://127.0.0.1:9/v1.0"},
		{Config{Cloud: "china", AuthorityHost: "https://emu.test"}, "https://emu.test/", "https://microsoftgraph.chinacloudapi.cn/v1.0"},
	} {
		a, b := tc.cfg.endpoints()
		if a != tc.authority || b != tc.base {
			t.Errorf("%+v: endpoints = %q, %q; want %q, %q", tc.cfg, a, b, tc.authority, tc.base)
		}
	}
	if s := graphScope("https://dod-graph.microsoft.us/v1.0"); s != "https://dod-graph.microsoft.us/.default" {
		t.Errorf("scope = %q", s)
	}
}

func TestApplyEnv(t *testing.T) {
	env := map[string]string{EnvGraphURL: " https://127.0.0.1:1/v1.0 ", EnvAuthorityHost: ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	c := Config{GraphURL: "https://from-config/v1.0", AuthorityHost: "https://login-from-config/"}
	c.ApplyEnv(lookup)
	if c.GraphURL != "https://127.0.0.1:1/v1.0" {
		t.Errorf("GraphURL = %q, want the environment's", c.GraphURL)
	}
	if c.AuthorityHost != "https://login-from-config/" {
		t.Errorf("AuthorityHost = %q: an empty variable must not override", c.AuthorityHost)
	}
}

func TestInstanceDiscoveryOnlyForMicrosoft(t *testing.T) {
	for host, want := range map[string]bool{
		"https://login.microsoftonline.com/":           true,
		"https://LOGIN.microsoftonline.us/":            true,
		"https://login.chinacloudapi.cn/":              true,
		"https://127.0.0.1:8443/":                      false,
		"https://login.microsoftonline.com.evil.test/": false,
	} {
		if got := isMicrosoftAuthority(host); got != want {
			t.Errorf("isMicrosoftAuthority(%q) = %v", host, got)
		}
	}
}

// fakeTenant serves an Entra ID authority and a Graph route over TLS, and
// records what it was asked, so tests can check the credential wiring end
// to end: endpoints, CA trust, no instance discovery, token on Graph calls.
type fakeTenant struct {
	srv       *httptest.Server
	mu        sync.Mutex
	paths     []string
	forms     []map[string][]string
	graphAuth []string
}

func newFakeTenant(t *testing.T) *fakeTenant {
	ft := &fakeTenant{}
	ft.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ft.mu.Lock()
		ft.paths = append(ft.paths, r.URL.Path)
		ft.mu.Unlock()
		base := "https://" + r.Host
		switch {
		case strings.HasSuffix(r.URL.Path, "/v2.0/.well-known/openid-configuration"):
			tenant := strings.Split(r.URL.Path, "/")[1]
			writeJSON(w, 200, `{"authorization_endpoint":"`+base+`/`+tenant+`/oauth2/v2.0/authorize",`+
				`"token_endpoint":"`+base+`/`+tenant+`/oauth2/v2.0/token",`+
				`"issuer":"`+base+`/`+tenant+`/v2.0","jwks_uri":"`+base+`/`+tenant+`/discovery/v2.0/keys"}`)
		case strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token"):
			_ = r.ParseForm()
			ft.mu.Lock()
			ft.forms = append(ft.forms, r.PostForm)
			ft.mu.Unlock()
			writeJSON(w, 200, `{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"tenant-token"}`)
		case r.URL.Path == "/v1.0/organization":
			ft.mu.Lock()
			ft.graphAuth = append(ft.graphAuth, r.Header.Get("Authorization"))
			ft.mu.Unlock()
			writeJSON(w, 200, `{"value":[{"id":"org1","displayName":"Contoso"}]}`)
		default:
			graphError(w, 404, "NotFound", r.URL.Path)
		}
	}))
	t.Cleanup(ft.srv.Close)
	return ft
}

func (ft *fakeTenant) config(t *testing.T) Config {
	pool := x509.NewCertPool()
	pool.AddCert(ft.srv.Certificate())
	return Config{
		TenantID: "contoso.test", ClientID: "app-id",
		AuthorityHost: ft.srv.URL + "/", GraphURL: ft.srv.URL + "/v1.0", CACerts: pool,
	}
}

func TestCredentialsAgainstFakeAuthority(t *testing.T) {
	ft := newFakeTenant(t)
	dir := t.TempDir()
	rsaPEM := writeCert(t, dir, "rsa.pem", true)

	for _, tc := range []struct {
		name  string
		mod   func(*Config)
		field string // form field the token request must carry
	}{
		{"client secret", func(c *Config) { c.Secret = secret.New("s3cr3t") }, "client_secret"},
		{"client certificate", func(c *Config) { c.CertPath = rsaPEM }, "client_assertion"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ft.config(t)
			tc.mod(&cfg)
			c, err := New(cfg, Options{})
			if err != nil {
				t.Fatal(err)
			}
			org, err := c.Organization(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if org.DisplayName != "Contoso" {
				t.Errorf("org = %+v", org)
			}
			ft.mu.Lock()
			defer ft.mu.Unlock()
			form := ft.forms[len(ft.forms)-1]
			// The scope names Graph's resource, not the host serving it.
			if form[tc.field] == nil || !strings.HasPrefix(form["scope"][0], "https://graph.microsoft.com/.default") {
				t.Errorf("token form %v: want %s and scope https://graph.microsoft.com/.default", form, tc.field)
			}
			if got := ft.graphAuth[len(ft.graphAuth)-1]; got != "Bearer tenant-token" {
				t.Errorf("Graph saw Authorization %q", got)
			}
			for _, p := range ft.paths {
				if strings.Contains(p, "discovery/instance") {
					t.Errorf("instance discovery was requested (%s): it must be off for a non-Microsoft authority", p)
				}
			}
		})
	}
}

func TestCertificateMustBeRSA(t *testing.T) {
	dir := t.TempDir()
	ecPEM := writeCert(t, dir, "ec.pem", false)
	_, err := NewCredential(Config{TenantID: "t", ClientID: "c", CertPath: ecPEM}, nil)
	if err == nil || !strings.Contains(err.Error(), "must be RSA") {
		t.Fatalf("err = %v, want an RSA requirement", err)
	}
	_, err = NewCredential(Config{TenantID: "t", ClientID: "c", CertPath: filepath.Join(dir, "missing.pem")}, nil)
	if err == nil || !strings.Contains(err.Error(), "read certificate") {
		t.Fatalf("err = %v", err)
	}
}

func TestExtraRootsDoNotReplaceSystemRoots(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.StartTLS()
	defer srv.Close()
	get := func(pool *x509.CertPool) error {
		resp, err := (&http.Client{Transport: newTransport(pool, 4)}).Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := get(nil); err == nil {
		t.Fatal("untrusted test CA accepted without extra roots")
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	if err := get(pool); err != nil {
		t.Fatalf("with the CA as an extra root: %v", err)
	}
	// Verification stays on: a host name the certificate does not name fails.
	other := x509.NewCertPool()
	other.AddCert(srv.Certificate())
	tr := newTransport(other, 4)
	tr.TLSClientConfig.ServerName = "not-in-the-cert.test"
	if _, err := (&http.Client{Transport: tr}).Get(srv.URL); err == nil {
		t.Fatal("certificate accepted for a host name it does not cover")
	}
}

// writeCert writes a self-signed certificate and its key (RSA or ECDSA) as
// one PEM file and returns its path.
func writeCert(t *testing.T, dir, name string, useRSA bool) string {
	t.Helper()
	var key any
	var pub any
	if useRSA {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		key, pub = k, &k.PublicKey
	} else {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key, pub = k, &k.PublicKey
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sg365-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	data = append(data, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})...)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestScopeIgnoresGraphURLOverride(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "https://graph.microsoft.com/.default"},
		{Config{GraphURL: "https://127.0.0.1:8443/v1.0"}, "https://graph.microsoft.com/.default"},
		{Config{Cloud: CloudUSGov, GraphURL: "https://proxy.example/v1.0"}, "https://graph.microsoft.us/.default"},
		{Config{Cloud: CloudChina}, "https://microsoftgraph.chinacloudapi.cn/.default"},
	} {
		if got := tc.cfg.scope(); got != tc.want {
			t.Errorf("%+v: scope %q, want %q", tc.cfg, got, tc.want)
		}
	}
}
