package identity

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ExpireTokens makes every access token issued so far fail validation as
// expired, as if the clock had passed their exp; tokens issued afterwards are
// unaffected. It simulates token expiry in the middle of a run.
func (p *Provider) ExpireTokens() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expiredThrough = p.serial
}

// SetTokenLifetime sets the lifetime of tokens issued from now on; d <= 0
// restores the random 60-90 minute default.
func (p *Provider) SetTokenLifetime(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lifetime = max(d, 0)
}

// GrantRoles adds application permissions to app appID. Like Entra ID, the
// change shows in tokens issued afterwards; combine with ExpireTokens to make
// clients fetch one at once.
func (p *Provider) GrantRoles(appID string, roles ...string) error {
	return p.updateApp(appID, func(a *app) {
		a.roles = normaliseRoles(append(a.roles, roles...))
	})
}

// RevokeRoles removes application permissions from app appID, with the same
// timing as GrantRoles.
func (p *Provider) RevokeRoles(appID string, roles ...string) error {
	return p.updateApp(appID, func(a *app) {
		a.roles = slices.DeleteFunc(a.roles, func(r string) bool { return slices.Contains(roles, r) })
	})
}

// RevokeApp disables app appID: token requests fail with AADSTS7000112
// (UnauthorizedClientApplicationDisabled). Tokens already issued stay valid
// until they expire, as in Entra ID; call ExpireTokens to cut them off too.
func (p *Provider) RevokeApp(appID string) error {
	return p.updateApp(appID, func(a *app) { a.disabled = true })
}

// RestoreApp re-enables an app disabled by RevokeApp.
func (p *Provider) RestoreApp(appID string) error {
	return p.updateApp(appID, func(a *app) { a.disabled = false })
}

func (p *Provider) updateApp(appID string, fn func(*app)) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	a, ok := p.apps[strings.ToLower(appID)]
	if !ok {
		return fmt.Errorf("app %q is not registered", appID)
	}
	fn(a)
	return nil
}
