package graph

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// TestIdentityAccountDocShapes: the list page's examples spell the
// provider "provider": "ActiveDirectory" and the invokeAction example
// wraps its result in "value"; both read like the resource's shape.
func TestIdentityAccountDocShapes(t *testing.T) {
	var a IdentityAccount
	if err := json.Unmarshal([]byte(`{"id":"x","isEnabled":true,"accounts":[
		{"provider":"ActiveDirectory","identifier":"256db173","actions":[]},
		{"identityProvider":"entraID","identifier":"69dfa3ea","actions":["disable"]}]}`), &a); err != nil {
		t.Fatal(err)
	}
	if ad, ok := a.Account(IdentityProviderActiveDirectory); !ok || ad.Identifier != "256db173" || ad.IdentityProvider != "activeDirectory" {
		t.Errorf("AD account: %+v", a.Accounts)
	}
	for _, body := range []string{
		`{"value":{"accountId":"a","action":"disable","provider":"activeDirectory","correlationId":"c"}}`,
		`{"@odata.context":"x","accountId":"a","action":"disable","identityProvider":"activeDirectory","correlationId":"c"}`,
	} {
		r, err := decodeActionResult(json.RawMessage(body))
		if err != nil || *r != (IdentityActionResult{AccountID: "a", Action: "disable", IdentityProvider: "activeDirectory", CorrelationID: "c"}) {
			t.Errorf("%s: %+v, %v", body, r, err)
		}
	}
}

// TestInvokeIdentityAccountActionRetry: the action is retried after a 503,
// with the same body.
func TestInvokeIdentityAccountActionRetry(t *testing.T) {
	var calls atomic.Int32
	c, _, _ := testClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.EscapedPath(), "/security/identities/identityAccounts/id%2F1/invokeAction") {
			t.Errorf("request %s %s", r.Method, r.URL)
		}
		if !strings.Contains(string(body), `"action":"forcePasswordReset"`) {
			t.Errorf("body %s", body)
		}
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"accountId":"a","action":"forcePasswordReset","identityProvider":"activeDirectory","correlationId":"c"}`)
	}), Options{})
	r, err := c.InvokeIdentityAccountAction(t.Context(), "id/1", IdentityAction{AccountID: "a", Action: IdentityActionForcePasswordReset,
		IdentityProvider: IdentityProviderActiveDirectory})
	if err != nil || r.CorrelationID != "c" || calls.Load() != 2 {
		t.Errorf("result %+v, err %v, %d calls", r, err, calls.Load())
	}
}
