package graph

import (
	"context"
	"fmt"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// tokenCache sits in front of an azcore.TokenCredential. azidentity caches
// too, but this cache decides when to refresh: ahead of expiry (so a long
// upload never starts with a token about to lapse), and on demand after
// Graph rejects a token. Safe for concurrent use; one refresh runs at a time
// and other callers wait for it.
type tokenCache struct {
	cred         azcore.TokenCredential
	scopes       []string
	now          func() time.Time
	refreshAhead time.Duration

	lock  chan struct{} // a mutex that honours ctx while waiting
	tok   azcore.AccessToken
	got   time.Time // when tok was obtained
	fresh bool      // the next request must bypass azidentity's own cache
}

func newTokenCache(cred azcore.TokenCredential, scope string, now func() time.Time, ahead time.Duration) *tokenCache {
	return &tokenCache{
		cred: cred, scopes: []string{scope}, now: now, refreshAhead: ahead,
		lock: make(chan struct{}, 1),
	}
}

// refreshAt returns when a token should be replaced: at RefreshOn if the
// issuer suggested one, else refreshAhead before expiry, but never later than
// half-way through the token's life (short test tokens would otherwise be
// refreshed on every call).
func refreshAt(tok azcore.AccessToken, got time.Time, ahead time.Duration) time.Time {
	if !tok.RefreshOn.IsZero() {
		return tok.RefreshOn
	}
	if life := tok.ExpiresOn.Sub(got); life > 0 && ahead > life/2 {
		ahead = life / 2
	}
	return tok.ExpiresOn.Add(-ahead)
}

// token returns a bearer token that is valid now.
func (tc *tokenCache) token(ctx context.Context) (string, error) {
	select {
	case tc.lock <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-tc.lock }()

	now := tc.now()
	if tc.tok.Token != "" && now.Before(refreshAt(tc.tok, tc.got, tc.refreshAhead)) {
		return tc.tok.Token, nil
	}
	opts := policy.TokenRequestOptions{Scopes: tc.scopes}
	if tc.fresh {
		// azidentity (MSAL) would hand back the token Graph just rejected:
		// it keeps tokens until shortly before their own expiry. A claims
		// request bypasses that cache; asking for a token not valid before
		// now is the form Continuous Access Evaluation's challenges take.
		// https://learn.microsoft.com/en-us/entra/identity-platform/claims-challenge
		opts.Claims = fmt.Sprintf(`{"access_token":{"nbf":{"essential":true,"value":"%d"}}}`, now.Unix())
	}
	tok, err := tc.cred.GetToken(ctx, opts)
	if err != nil {
		// A failed early refresh is not fatal while the old token lives.
		if tc.tok.Token != "" && now.Before(tc.tok.ExpiresOn.Add(-time.Minute)) {
			return tc.tok.Token, nil
		}
		return "", &tokenError{err: err}
	}
	tc.tok, tc.got, tc.fresh = tok, now, false
	return tok.Token, nil
}

// invalidate drops the cached token if it is still the one Graph rejected,
// so concurrent 401s cause one refresh, not one per request.
func (tc *tokenCache) invalidate(rejected string) {
	tc.lock <- struct{}{}
	if tc.tok.Token == rejected {
		tc.tok = azcore.AccessToken{}
		tc.fresh = true
	}
	<-tc.lock
}
