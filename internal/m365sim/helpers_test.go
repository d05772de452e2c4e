package m365sim

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// client is a minimal hand-written Graph caller for the conformance tests:
// the emulator must be tested over real HTTP without our own Graph client,
// so that neither can hide the other's mistakes.
type client struct {
	tb    testing.TB
	l     *Listener
	http  *http.Client
	token string
}

func newClient(tb testing.TB, l *Listener) *client {
	tb.Helper()
	c := &client{tb: tb, l: l, http: l.HTTPClient()}
	c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.token = c.fetchToken(l.ClientID, l.ClientSecret)
	return c
}

func (c *client) fetchToken(id, secret string) string {
	c.tb.Helper()
	form := url.Values{"client_id": {id}, "client_secret": {secret}, "grant_type": {"client_credentials"},
		"scope": {"https://graph.microsoft.com/.default"}}
	resp, err := c.http.PostForm(c.l.AuthorityHost+c.l.TenantID+"/oauth2/v2.0/token", form)
	if err != nil {
		c.tb.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&tok) != nil || tok.AccessToken == "" {
		c.tb.Fatalf("token request: %s", resp.Status)
	}
	return tok.AccessToken
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		tb.Fatalf("response is not JSON (%d): %.200s", r.status, r.body)
	}
	return m
}

func (r response) errorCode(tb testing.TB) string {
	tb.Helper()
	e, _ := r.json(tb)["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

// do sends a request; path is relative to the Graph base URL unless it is
// absolute.
func (c *client) do(method, path string, body any, headers ...string) response {
	c.tb.Helper()
	u := path
	if !strings.HasPrefix(path, "http") {
		u = c.l.GraphURL + path
	}
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "text/plain"
	case []byte:
		rd, ct = bytes.NewReader(b), "application/octet-stream"
	default:
		j, _ := json.Marshal(b)
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		c.tb.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.tb.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// get asserts 200 and decodes the JSON body.
func (c *client) get(path string, headers ...string) map[string]any {
	c.tb.Helper()
	r := c.do("GET", path, nil, headers...)
	if r.status != 200 {
		c.tb.Fatalf("GET %s: %d %.300s", path, r.status, r.body)
	}
	return r.json(c.tb)
}

// all follows @odata.nextLink to the end and returns every item and the
// final page (which may hold @odata.deltaLink).
func (c *client) all(path string, headers ...string) ([]map[string]any, map[string]any) {
	c.tb.Helper()
	var items []map[string]any
	for page := 0; ; page++ {
		if page > 10000 {
			c.tb.Fatal("paging does not end")
		}
		m := c.get(path, headers...)
		for _, v := range m["value"].([]any) {
			items = append(items, v.(map[string]any))
		}
		next, _ := m["@odata.nextLink"].(string)
		if next == "" {
			return items, m
		}
		path = next
	}
}

func ids(items []map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, it := range items {
		out[it["id"].(string)] = it
	}
	return out
}

func gzipWriter(w io.Writer) *gzip.Writer { return gzip.NewWriter(w) }
