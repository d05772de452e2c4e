package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serveRun is a runSimServe started in the background.
type serveRun struct {
	cancel context.CancelFunc
	done   chan struct{} // closed when runSimServe has returned err
	err    error
	stderr *syncBuffer
}

// stop cancels the command and checks that it returns nil promptly.
func (r *serveRun) stop(tb testing.TB) {
	tb.Helper()
	r.cancel()
	select {
	case <-r.done:
		if r.err != nil {
			tb.Fatalf("runSimServe after cancel: %v\nstderr: %s", r.err, r.stderr.String())
		}
	case <-time.After(15 * time.Second):
		tb.Fatal("runSimServe did not stop within 15s of cancel")
	}
}

// startServe runs runSimServe and returns once it has printed; out holds
// stdout up to and including the line for which ready returns true.
func startServe(tb testing.TB, opts SimServeOptions, jsonOut bool, ready func(line string) bool) (r *serveRun, out string) {
	tb.Helper()
	g, _, stderr := testGlobals(tb, jsonOut)
	pr, pw := io.Pipe()
	g.Stdout = pw
	ctx, cancel := context.WithCancel(tb.Context())
	r = &serveRun{cancel: cancel, done: make(chan struct{}), stderr: stderr}
	go func() {
		r.err = runSimServe(ctx, opts, g)
		pw.CloseWithError(errors.New("runSimServe returned"))
		close(r.done)
	}()
	tb.Cleanup(func() {
		cancel()
		pr.Close()
		<-r.done
	})
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var b strings.Builder
	timeout := time.After(60 * time.Second) // generating users takes a moment on a busy machine
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				<-r.done
				tb.Fatalf("output ended before ready; got:\n%s\nstderr: %s\nerr: %v", b.String(), stderr.String(), r.err)
			}
			b.WriteString(line + "\n")
			if ready(line) {
				// Keep draining so that a later write cannot block the command.
				go func() {
					for range lines {
					}
				}()
				return r, b.String()
			}
		case <-timeout:
			tb.Fatalf("no ready output after 60s; got:\n%s\nstderr: %s", b.String(), stderr.String())
		}
	}
}

func clientFor(tb testing.TB, caFile string) *http.Client {
	tb.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			tb.Fatalf("read CA file: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			tb.Fatalf("CA file %s holds no certificate", caFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

func TestSimServeJSON(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tls   bool
		caDir bool
	}{
		{"http", false, false},
		{"tls", true, false},
		{"tls-ca-dir", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := SimServeOptions{Users: 2, Seed: 7, Addr: "127.0.0.1:0", TLS: tc.tls, TimeScale: 1}
			if tc.caDir {
				opts.CADir = filepath.Join(t.TempDir(), "ca")
			}
			if err := opts.Validate(); err != nil {
				t.Fatal(err)
			}
			run, out := startServe(t, opts, true, func(string) bool { return true })
			var got simReady
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("output is not one JSON object: %v\n%s", err, out)
			}
			if got.MessageType != "sim_ready" || got.TenantID == "" || got.ClientID == "" || got.ClientSecret == "" ||
				len(got.Users) < 2 || got.Users[0].UPN == "" || got.Seed != 7 {
				t.Errorf("incomplete ready object: %+v", got)
			}
			wantScheme := map[bool]string{false: "http://", true: "https://"}[tc.tls]
			if !strings.HasPrefix(got.GraphURL, wantScheme) || !strings.HasPrefix(got.AuthorityHost, wantScheme) {
				t.Errorf("URLs %q, %q do not start with %q", got.GraphURL, got.AuthorityHost, wantScheme)
			}
			// --mde-url's default, derived from --graph-url, must reach the
			// emulator's Defender for Endpoint host without being given.
			if derived := (MDEFlags{}).mdeURL(mdeSettings(got.GraphURL)); got.MDEURL != derived {
				t.Errorf("mde_url %q, but --mde-url derives %q from graph_url %q", got.MDEURL, derived, got.GraphURL)
			}
			if tc.tls != (got.CAFile != "") {
				t.Errorf("ca_file = %q with tls=%v", got.CAFile, tc.tls)
			}
			if tc.caDir && filepath.Dir(got.CAFile) != opts.CADir {
				t.Errorf("ca_file %q is not in --ca-dir %q", got.CAFile, opts.CADir)
			}
			if !strings.Contains(run.stderr.String(), "emulator-only") {
				t.Errorf("stderr lacks the emulator-only note: %s", run.stderr.String())
			}

			c := clientFor(t, got.CAFile)
			checkOpenID(t, c, got)
			checkToken(t, c, got)

			run.stop(t)
			if _, err := c.Get(got.URL + "/"); err == nil {
				t.Error("emulator still answers after stop")
			}
			if _, err := os.Stat(got.CAFile); tc.tls && !tc.caDir && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("temporary CA file %s not removed: %v", got.CAFile, err)
			}
			if _, err := os.Stat(got.CAFile); tc.caDir && err != nil {
				t.Errorf("CA file in --ca-dir should stay: %v", err)
			}
		})
	}
}

// checkOpenID fetches the tenant's OpenID configuration, as MSAL does first.
func checkOpenID(tb testing.TB, c *http.Client, r simReady) {
	tb.Helper()
	resp, err := c.Get(r.AuthorityHost + r.TenantID + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		tb.Fatalf("openid configuration: %v", err)
	}
	defer resp.Body.Close()
	var doc struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != http.StatusOK || doc.TokenEndpoint == "" {
		tb.Fatalf("openid configuration: status %s, token_endpoint %q, decode error %v", resp.Status, doc.TokenEndpoint, err)
	}
}

// checkToken signs in with the printed credentials and lists users, so the
// printed secret is known to work.
func checkToken(tb testing.TB, c *http.Client, r simReady) {
	tb.Helper()
	resp, err := c.PostForm(r.AuthorityHost+r.TenantID+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {r.ClientID}, "client_secret": {r.ClientSecret},
		"scope": {"https://graph.microsoft.com/.default"}})
	if err != nil {
		tb.Fatalf("token request: %v", err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		tb.Fatalf("token request: status %s, decode error %v", resp.Status, err)
	}
	req, _ := http.NewRequest(http.MethodGet, r.GraphURL+"/users", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = c.Do(req)
	if err != nil {
		tb.Fatalf("GET /users: %v", err)
	}
	defer resp.Body.Close()
	var users struct {
		Value []struct {
			UserPrincipalName string `json:"userPrincipalName"`
		} `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&users); err != nil || resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET /users: status %s, decode error %v", resp.Status, err)
	}
	if len(users.Value) == 0 || users.Value[0].UserPrincipalName == "" {
		tb.Errorf("GET /users returned no users: %+v", users)
	}
}

func TestSimServeText(t *testing.T) {
	opts := SimServeOptions{Users: 3, Seed: 1, Addr: "127.0.0.1:0", TLS: true, TimeScale: 60, TokenLifetime: time.Hour}
	run, out := startServe(t, opts, false, func(line string) bool { return strings.HasPrefix(line, "Press Ctrl-C") })
	for _, want := range []string{"Graph URL:", "MDE API URL:", "Authority host:", "Tenant ID:", "Client ID:", "Client secret:",
		"CA certificate:", " users", "emulator-only"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	run.stop(t)
}

func TestSimServeAlreadyCancelled(t *testing.T) {
	g, _, _ := testGlobals(t, true)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	if err := runSimServe(ctx, SimServeOptions{Users: 1, Addr: "127.0.0.1:0", TimeScale: 1, TLS: true}, g); err != nil {
		t.Fatalf("runSimServe with a cancelled context: %v", err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestSimServeAddrInUse(t *testing.T) {
	run, out := startServe(t, SimServeOptions{Users: 1, Addr: "127.0.0.1:0", TimeScale: 1}, true, func(string) bool { return true })
	defer run.stop(t)
	var first simReady
	if err := json.Unmarshal([]byte(out), &first); err != nil {
		t.Fatal(err)
	}
	g, _, _ := testGlobals(t, true)
	err := runSimServe(t.Context(), SimServeOptions{Users: 1, Addr: strings.TrimPrefix(first.URL, "http://"), TimeScale: 1}, g)
	if err == nil || exitCode(err) != exitFatal || !strings.Contains(err.Error(), "start emulator") {
		t.Errorf("second emulator on the same port: err %v (exit %d), want a fatal start error", err, exitCode(err))
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 5 << 30: "5.0 GiB"} {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// simToken signs in with r's credentials and returns the access token.
func simToken(tb testing.TB, c *http.Client, r simReady) string {
	tb.Helper()
	resp, err := c.PostForm(r.AuthorityHost+r.TenantID+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {r.ClientID}, "client_secret": {r.ClientSecret},
		"scope": {"https://graph.microsoft.com/.default"}})
	if err != nil {
		tb.Fatalf("token request: %v", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK {
		tb.Fatalf("token request: status %s, decode error %v", resp.Status, err)
	}
	return tok.AccessToken
}

// simCall sends a Graph request with token and decodes the JSON answer.
func simCall(tb testing.TB, c *http.Client, token, method, url string, body any) (int, map[string]any) {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestSimServeState(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	start := func(opts SimServeOptions) (*serveRun, simReady) {
		t.Helper()
		if err := opts.Validate(); err != nil {
			t.Fatal(err)
		}
		run, out := startServe(t, opts, true, func(string) bool { return true })
		var r simReady
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("output is not one JSON object: %v\n%s", err, out)
		}
		return run, r
	}
	run1, first := start(SimServeOptions{Users: 2, Seed: 5, Addr: "127.0.0.1:0", TimeScale: 1, State: dir})
	if first.State != "generated" || first.StateDir != dir {
		t.Errorf("first run: state %q in %q, want generated in %q", first.State, first.StateDir, dir)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("state dir: %v, mode %v, want 0700", err, fi.Mode().Perm())
	}
	c := clientFor(t, "")
	token := simToken(t, c, first)
	status, msg := simCall(t, c, token, "POST", first.GraphURL+"/users/"+first.Users[0].ID+"/mailFolders/inbox/messages",
		map[string]any{"subject": "kept across runs"})
	if status != http.StatusCreated {
		t.Fatalf("create message: %d %v", status, msg)
	}
	run1.stop(t)

	// Different --users and --seed: the saved tenant wins.
	run2, second := start(SimServeOptions{Users: 1, Seed: 99, Addr: "127.0.0.1:0", TimeScale: 1, State: dir})
	defer run2.stop(t)
	if second.State != "loaded" || second.Seed != 5 || len(second.Users) != len(first.Users) {
		t.Errorf("second run: state %q, seed %d, %d users; want loaded, 5, %d", second.State, second.Seed, len(second.Users), len(first.Users))
	}
	if second.TenantID != first.TenantID || second.ClientID != first.ClientID || second.ClientSecret != first.ClientSecret {
		t.Fatalf("credentials changed across runs: tenant %s/%s, client %s/%s", first.TenantID, second.TenantID, first.ClientID, second.ClientID)
	}
	creds := first
	creds.AuthorityHost, creds.GraphURL = second.AuthorityHost, second.GraphURL
	for name, tok := range map[string]string{"earlier token": token, "same secret": simToken(t, c, creds)} {
		status, got := simCall(t, c, tok, "GET", second.GraphURL+"/users/"+first.Users[0].ID+"/messages/"+msg["id"].(string), nil)
		if status != http.StatusOK || got["subject"] != "kept across runs" {
			t.Errorf("%s: message after restart: %d %v", name, status, got["subject"])
		}
	}
}

func TestPrintSimReadyState(t *testing.T) {
	for _, tc := range []struct {
		state, dir, want string
	}{
		{"generated", "", "Tenant state:    generated, in memory only"},
		{"generated", "/s", "Tenant state:    generated, saved in /s"},
		{"loaded", "/s", "Tenant state:    loaded from /s"},
	} {
		g, stdout, _ := testGlobals(t, false)
		if err := printSimReady(g, simReady{State: tc.state, StateDir: tc.dir}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stdout.String(), tc.want) {
			t.Errorf("state %s in %q: output lacks %q:\n%s", tc.state, tc.dir, tc.want, stdout.String())
		}
	}
}
