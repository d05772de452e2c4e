package tenantguard

import (
	"crypto/tls"
	"net/http"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/repo"
	"github.com/safeguard365/safeguard365/internal/secret"
)

type env struct {
	l *m365sim.Listener
	c *graph.Client
	r *repo.Repository
}

// newEnv starts an emulated tenant (with roles, or every permission when
// nil) and a repository.
func newEnv(tb testing.TB, roles []string) *env {
	tb.Helper()
	l := m365sim.Start(tb, m365sim.Options{Seed: 21, Users: 5, MessagesPerUser: -1, FilesPerUser: -1, Roles: roles})
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: l.CAPool(), MinVersion: tls.VersionTLS12}
	tb.Cleanup(tr.CloseIdleConnections)
	c, err := graph.New(graph.Config{TenantID: l.TenantID, ClientID: l.ClientID, Secret: secret.New(l.ClientSecret),
		AuthorityHost: l.AuthorityHost, GraphURL: l.GraphURL},
		graph.Options{Transport: tr, RetryBaseDelay: 20 * time.Millisecond, RetryMaxDelay: 300 * time.Millisecond})
	if err != nil {
		tb.Fatalf("graph.New: %v", err)
	}
	return &env{l: l, c: c, r: repo.TestRepository(tb)}
}

func (e *env) snapshot(tb testing.TB) *State {
	tb.Helper()
	s, err := Snapshot(tb.Context(), e.c, e.r, Options{TenantID: e.l.TenantID})
	if err != nil {
		tb.Fatalf("Snapshot: %v", err)
	}
	return s
}

func (e *env) drift(tb testing.TB, d m365sim.ConfigDrift) m365sim.DriftResult {
	tb.Helper()
	var res m365sim.DriftResult
	if err := e.l.Control("POST", "config-drift", d, &res); err != nil {
		tb.Fatal(err)
	}
	return res
}
