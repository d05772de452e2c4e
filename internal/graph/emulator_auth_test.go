package graph_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/secret"
)

// TestEmulatorSecretFromConfig builds the Client from Config alone, as the
// CLI does for `sg365 sim`: GraphURL and AuthorityHost point at the
// emulator, the secret is the emulator app's. A client-credentials token for
// Graph must name Graph's application ID URI, https://graph.microsoft.com/.default
// (https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow),
// not the host Graph is reached at; the emulator, like Entra ID, refuses
// any other resource with AADSTS70011.
func TestEmulatorSecretFromConfig(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 2, Seed: 5, MessagesPerUser: -1, FilesPerUser: -1})
	c, err := graph.New(emulatorConfig(l), graph.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t, 20*time.Second)
	seen := map[string]int{}
	for u, err := range c.Users(ctx, nil) {
		if err != nil {
			t.Fatalf("list users: %v", err)
		}
		seen[u.ID]++
	}
	compareIDs(t, "users", seen, liveUserIDs(l))
}

// writeCertPEM generates an RSA key and a self-signed certificate for it,
// writes both as PEM (certificate, then PKCS #8 key) to a file in dir and
// returns the certificate and the file's path.
func writeCertPEM(tb testing.TB, dir, name string) (*x509.Certificate, string) {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: "SafeGuard365 test " + name},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	pem.Encode(&buf, &pem.Block{Type: "PRIVATE KEY", Bytes: pk})
	path := filepath.Join(dir, name+".pem")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
	return cert, path
}

// TestEmulatorCertificateAuth signs in with a certificate registered on the
// emulator's app (a client assertion signed by the key in Config.CertPath)
// and lists the users; a certificate the app does not know is refused with
// an error IsAuth recognises.
func TestEmulatorCertificateAuth(t *testing.T) {
	dir := t.TempDir()
	cert, certPath := writeCertPEM(t, dir, "registered")
	_, otherPath := writeCertPEM(t, dir, "unknown")
	l := m365sim.Start(t, m365sim.Options{Users: 3, Seed: 9, MessagesPerUser: -1, FilesPerUser: -1,
		AppCertificates: []*x509.Certificate{cert}})
	ctx := testCtx(t, 30*time.Second)

	for _, tc := range []struct {
		name   string
		path   string
		wantOK bool
	}{
		{"registered", certPath, true},
		{"unknown", otherPath, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := emulatorConfig(l)
			cfg.Secret, cfg.CertPath = secret.Secret{}, tc.path
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			c, err := graph.New(cfg, graph.Options{})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			var listErr error
			for u, err := range c.Users(ctx, nil) {
				if err != nil {
					listErr = err
					break
				}
				seen[u.ID]++
			}
			switch {
			case tc.wantOK && listErr != nil:
				t.Fatalf("list users: %v", listErr)
			case tc.wantOK:
				compareIDs(t, "users", seen, liveUserIDs(l))
			case listErr == nil:
				t.Fatal("an unregistered certificate listed the users")
			case !graph.IsAuth(listErr):
				t.Fatalf("err %v: IsAuth is false", listErr)
			}
		})
	}
}
