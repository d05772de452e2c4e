package m365sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
)

// Start runs an emulated tenant over HTTPS on a free loopback port for the
// duration of a test, and returns its URLs and credentials. Point a Graph
// client at inst.GraphURL with an authority of inst.AuthorityHost and trust
// inst.CAPool().
func Start(tb testing.TB, opts Options) *Listener {
	tb.Helper()
	s, err := New(opts)
	if err != nil {
		tb.Fatalf("m365sim: %v", err)
	}
	l, err := Listen(s, ListenOptions{TLS: true})
	if err != nil {
		tb.Fatalf("m365sim: %v", err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

// HTTPClient returns a client that trusts the emulator's CA.
func (l *Listener) HTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if pool := l.CAPool(); pool != nil {
		tr.TLSClientConfig.RootCAs = pool
	}
	return &http.Client{Transport: tr}
}

// Control calls the control API (method, path under /_sim/, JSON body) and
// decodes a JSON answer into out when out is non-nil.
func (l *Listener) Control(method, path string, body, out any) error {
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, l.URL+"/_sim/"+path, rd)
	if err != nil {
		return err
	}
	resp, err := l.HTTPClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var e struct{ Error string }
		json.NewDecoder(resp.Body).Decode(&e)
		return fmt.Errorf("control %s %s: %s: %s", method, path, resp.Status, e.Error)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

// SetFaults replaces the fault configuration at run time.
func (l *Listener) SetFaults(fc limits.FaultConfig) error { return l.Server.faults.SetConfig(fc) }

// ExpireTokens makes every access token issued so far fail as expired.
func (l *Listener) ExpireTokens() { l.Server.idp.ExpireTokens() }

// ExpireDelta makes the next delta request on container (a mail folder,
// user or drive id) fail with 410 Gone.
func (l *Listener) ExpireDelta(container string) error { return l.Server.faults.ExpireDelta(container) }

// Stats returns the request counters.
func (l *Listener) Stats() limits.Stats { return l.Server.counters.Snapshot() }
