package identity

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"testing"
	"time"
)

func TestConfigValidation(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ec"},
		NotBefore: testStart, NotAfter: testStart.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ecKey.PublicKey, ecKey)
	if err != nil {
		t.Fatal(err)
	}
	ecCert, _ := x509.ParseCertificate(der)
	weak := mustRSA(1024)

	for _, tc := range []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"no tenants", func(c *Config) { c.Tenants = nil }, "no tenants"},
		{"tenant id not a GUID", func(c *Config) { c.Tenants[0].ID = "contoso" }, "not a GUID"},
		{"domain used twice", func(c *Config) { c.Tenants[1].Domains = []string{"CONTOSO.test"} }, "already names tenant"},
		{"reserved domain", func(c *Config) { c.Tenants[0].Domains = []string{"common"} }, "not a domain name"},
		{"client id not a GUID", func(c *Config) { c.Apps[0].ClientID = "backup-app" }, "not a GUID"},
		{"client id twice", func(c *Config) { c.Apps[1].ClientID = strings.ToUpper(appID) }, "registered twice"},
		{"empty secret", func(c *Config) { c.Apps[0].Secrets = []ClientSecret{{}} }, "secret 0 is empty"},
		{"EC certificate", func(c *Config) { c.Apps[1].Certificates = append(c.Apps[1].Certificates, ecCert) }, "want RSA"},
		{"weak certificate", func(c *Config) {
			c.Apps[1].Certificates = append(c.Apps[1].Certificates, newCert(t, weak, testStart, testStart.Add(time.Hour)))
		}, "1024 bits"},
		{"app in unknown tenant", func(c *Config) { c.Apps[1].Tenants = []string{"fabrikam.onmicrosoft.com"} }, "not a configured tenant id"},
		{"negative lifetime", func(c *Config) { c.TokenLifetime = -time.Second }, "negative"},
		{"public url with path", func(c *Config) { c.PublicURL = "https://login.test/emu" }, "path"},
		{"public url without scheme", func(c *Config) { c.PublicURL = "login.test" }, "scheme://host"},
		{"weak signing key", func(c *Config) { c.SigningKey = weak }, "signing key has 1024 bits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t, &clock{t: testStart})
			tc.mutate(&cfg)
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want error containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Fatal("error reveals a secret")
			}
		})
	}
}

func TestSecretNeverPrints(t *testing.T) {
	cfg := testConfig(t, &clock{t: testStart})
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("config", "apps", cfg.Apps, "secret", cfg.Apps[0].Secrets[1].Value)
	j, err := json.Marshal(cfg.Apps)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{
		fmt.Sprintf("%v %+v %#v %s", cfg.Apps, cfg.Apps, cfg.Apps, cfg.Apps[0].Secrets[1].Value),
		string(j), logBuf.String(),
	} {
		if strings.Contains(out, testSecret) || strings.Contains(out, "expired-secret-value") {
			t.Fatalf("secret printed: %s", out)
		}
		if !strings.Contains(out, "[redacted]") {
			t.Fatalf("no redaction marker in %s", out)
		}
	}
	if cfg.Apps[0].Secrets[1].Value.Reveal() != testSecret {
		t.Fatal("Reveal")
	}
}
