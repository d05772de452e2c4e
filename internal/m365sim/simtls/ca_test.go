package simtls

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// emulatorHosts are the names the emulator passes to Leaf.
var emulatorHosts = []string{"127.0.0.1", "::1", "localhost", "graph.microsoft.com", "login.microsoftonline.com", "sim.example.test"}

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func newTestCA(t *testing.T) *CA {
	t.Helper()
	ca, err := NewCA(nil)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// serveTLS starts an HTTPS server presenting cert and returns its address.
func serveTLS(t *testing.T, cert tls.Certificate) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// clientFor returns an HTTP client that trusts only roots and sends every
// connection to addr whatever the URL's host, as a hosts entry would.
func clientFor(roots *x509.CertPool, addr string) *http.Client {
	var d net.Dialer
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
	}}
}

func get(c *http.Client, host string) error {
	u := "https://" + net.JoinHostPort(host, "443") + "/"
	resp, err := c.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "ok" {
		return errors.New("unexpected body " + string(b))
	}
	return nil
}

func TestLeafServesEveryName(t *testing.T) {
	ca := newTestCA(t)
	leaf, err := ca.Leaf(append(emulatorHosts, "", "LOCALHOST", "login.microsoftonline.com.")...)
	if err != nil {
		t.Fatal(err)
	}
	addr := serveTLS(t, leaf)
	c := clientFor(ca.Pool(), addr)
	defer c.CloseIdleConnections()
	for _, h := range emulatorHosts {
		t.Run(h, func(t *testing.T) {
			if err := get(c, h); err != nil {
				t.Fatalf("GET via %s: %v", h, err)
			}
		})
	}
	if got, want := len(leaf.Leaf.DNSNames)+len(leaf.Leaf.IPAddresses), len(emulatorHosts); got != want {
		t.Errorf("leaf has %d SANs (%v %v), want %d without duplicates", got, leaf.Leaf.DNSNames, leaf.Leaf.IPAddresses, want)
	}
}

func TestLeafRejectedOutsideItsNamesAndCA(t *testing.T) {
	ca := newTestCA(t)
	leaf, err := ca.Leaf("localhost", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	addr := serveTLS(t, leaf)

	c := clientFor(ca.Pool(), addr)
	defer c.CloseIdleConnections()
	var hostErr x509.HostnameError
	if err := get(c, "graph.microsoft.com"); !errors.As(err, &hostErr) {
		t.Errorf("name outside the SANs: got %v, want x509.HostnameError", err)
	}

	other := newTestCA(t)
	c2 := clientFor(other.Pool(), addr)
	defer c2.CloseIdleConnections()
	var authErr x509.UnknownAuthorityError
	if err := get(c2, "localhost"); !errors.As(err, &authErr) {
		t.Errorf("client trusting another CA: got %v, want x509.UnknownAuthorityError", err)
	}
}

func TestLeafValidityFollowsClock(t *testing.T) {
	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	ca, err := NewCA(fixedClock(start))
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Leaf("localhost")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		at   time.Time
		ok   bool
	}{
		{"client clock slightly behind", start.Add(-30 * time.Minute), true},
		{"issue time", start, true},
		{"a year later", start.Add(365 * 24 * time.Hour), true},
		{"after 397 days", start.Add(398 * 24 * time.Hour), false},
		{"before backdate", start.Add(-2 * time.Hour), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := leaf.Leaf.Verify(x509.VerifyOptions{
				DNSName: "localhost", Roots: ca.Pool(), CurrentTime: tc.at,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			})
			if (err == nil) != tc.ok {
				t.Fatalf("verify at %v: err=%v, want ok=%v", tc.at, err, tc.ok)
			}
		})
	}
	if !ca.Certificate().IsCA || !ca.Certificate().MaxPathLenZero {
		t.Error("ca certificate must be a CA with path length 0")
	}
	if len(leaf.Certificate) != 2 {
		t.Errorf("leaf chain has %d certificates, want leaf and ca", len(leaf.Certificate))
	}
}

func TestLeafHostErrors(t *testing.T) {
	ca := newTestCA(t)
	for _, tc := range []struct {
		hosts []string
		want  string
	}{
		{nil, "no host names"},
		{[]string{"", " "}, "no host names"},
		{[]string{"localhost:8443"}, "not allowed"},
		{[]string{"bad name"}, "not allowed"},
		{[]string{"a..b"}, "empty"},
		{[]string{"-x.test"}, "hyphen"},
	} {
		_, err := ca.Leaf(tc.hosts...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Leaf(%q): got %v, want error containing %q", tc.hosts, err, tc.want)
		}
	}
	if _, err := ca.Leaf("*.example.test", "[::1]"); err != nil {
		t.Errorf("wildcard and bracketed IPv6: %v", err)
	}
}
