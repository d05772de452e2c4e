package graph

import (
	"errors"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
)

type fakeClock struct{ t time.Time }

func (f *fakeClock) now() time.Time          { return f.t }
func (f *fakeClock) advance(d time.Duration) { f.t = f.t.Add(d) }

func TestTokenCacheRefreshAhead(t *testing.T) {
	clk := &fakeClock{t: time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)}
	cred := &fakeCred{life: 75 * time.Minute, now: clk.now}
	tc := newTokenCache(cred, "https://graph.microsoft.com/.default", clk.now, 5*time.Minute)

	tok1, err := tc.token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	clk.advance(69 * time.Minute) // 6 minutes left: still outside the refresh window
	if tok, _ := tc.token(t.Context()); tok != tok1 || cred.Calls() != 1 {
		t.Fatalf("refreshed with 6 min left (calls %d)", cred.Calls())
	}
	clk.advance(2 * time.Minute) // 4 minutes left: refresh ahead of expiry
	tok2, _ := tc.token(t.Context())
	if tok2 == tok1 || cred.Calls() != 2 {
		t.Fatalf("not refreshed with 4 min left (calls %d)", cred.Calls())
	}

	// A failed early refresh keeps the still-valid token.
	clk.advance(71 * time.Minute) // 4 min left on tok2
	cred.err = errors.New("AADSTS50000: outage")
	if tok, err := tc.token(t.Context()); err != nil || tok != tok2 {
		t.Fatalf("early refresh failure: %q, %v; want the old token", tok, err)
	}
	// Once it is about to expire, the failure is returned.
	clk.advance(4 * time.Minute)
	if _, err := tc.token(t.Context()); !IsAuth(err) {
		t.Fatalf("err = %v, want an auth error", err)
	}
}

func TestTokenCacheShortLifetime(t *testing.T) {
	clk := &fakeClock{t: time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)}
	cred := &fakeCred{life: 2 * time.Minute, now: clk.now} // emulator-style short tokens
	tc := newTokenCache(cred, "s", clk.now, 5*time.Minute)
	for range 10 {
		if _, err := tc.token(t.Context()); err != nil {
			t.Fatal(err)
		}
		clk.advance(5 * time.Second)
	}
	// Refresh at half-life (60 s): 50 s of calls need one token, not ten.
	if cred.Calls() != 1 {
		t.Fatalf("%d token fetches in 50 s of a 2-minute token", cred.Calls())
	}
	clk.advance(15 * time.Second) // 65 s in
	_, _ = tc.token(t.Context())
	if cred.Calls() != 2 {
		t.Fatalf("not refreshed past half-life")
	}
}

func TestRefreshAtHonoursRefreshOn(t *testing.T) {
	got := time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)
	tok := azcore.AccessToken{ExpiresOn: got.Add(time.Hour), RefreshOn: got.Add(30 * time.Minute)}
	if at := refreshAt(tok, got, 5*time.Minute); !at.Equal(tok.RefreshOn) {
		t.Errorf("refreshAt = %v, want RefreshOn", at)
	}
}

func TestTokenCacheInvalidate(t *testing.T) {
	clk := &fakeClock{t: time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)}
	cred := &fakeCred{now: clk.now}
	tc := newTokenCache(cred, "s", clk.now, 5*time.Minute)
	tok1, _ := tc.token(t.Context())
	tc.invalidate("some-older-token") // a stale 401 must not drop the fresh token
	if tok, _ := tc.token(t.Context()); tok != tok1 {
		t.Fatal("invalidating another token dropped the current one")
	}
	tc.invalidate(tok1)
	if tok, _ := tc.token(t.Context()); tok == tok1 || cred.Calls() != 2 {
		t.Fatal("invalidate did not force a new token")
	}
}
