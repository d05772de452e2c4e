package identity

import (
	"net/http"
	"testing"
	"time"
)

// A provider restarted with the same signing key (sg365 sim serve --state)
// must accept tokens issued before the restart: the key id may not depend
// on when the provider started.
func TestSavedSigningKeyKeepsTokensValid(t *testing.T) {
	clk := &clock{t: time.Now()}
	cfg := testConfig(t, clk)
	cfg.SigningKey = signingKey()
	cfg.TokenLifetime = time.Hour
	before, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := before.IssueToken(tenantID, appID)
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(17 * time.Minute)
	after, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "https://graph.example/v1.0/users", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if _, aerr := after.Authenticate(req); aerr != nil {
		t.Fatalf("token from before the restart: %v", aerr)
	}
	cfg.SigningKey = strayKey()
	other, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, aerr := other.Authenticate(req); aerr == nil {
		t.Fatal("a provider with another key accepted the token")
	}
}
