package simclient

import (
	"crypto/tls"
	"net/http"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/secret"
)

// Config is the graph.Config that signs in to l with its client secret and
// trusts its CA.
func Config(l *m365sim.Listener) graph.Config {
	return graph.Config{TenantID: l.TenantID, ClientID: l.ClientID, Secret: secret.New(l.ClientSecret),
		AuthorityHost: l.AuthorityHost, GraphURL: l.GraphURL, CACerts: l.CAPool()}
}

// TestClient returns a client for l with short retry delays, for tests.
// It uses a transport of its own whose idle connections are closed when
// the test ends, so that the emulator's shutdown does not wait for them.
// tune adjusts the options before the client is made.
func TestClient(tb testing.TB, l *m365sim.Listener, tune ...func(*graph.Options)) *graph.Client {
	tb.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: l.CAPool(), MinVersion: tls.VersionTLS12}
	tr.MaxIdleConnsPerHost = 64
	tb.Cleanup(tr.CloseIdleConnections)
	opts := graph.Options{Transport: tr, RetryBaseDelay: 20 * time.Millisecond, RetryMaxDelay: 300 * time.Millisecond}
	for _, f := range tune {
		f(&opts)
	}
	c, err := graph.New(Config(l), opts)
	if err != nil {
		tb.Fatalf("graph.New: %v", err)
	}
	return c
}
