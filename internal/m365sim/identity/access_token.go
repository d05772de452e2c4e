package identity

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"time"
)

// accessClaims are the claims of a Graph app-only access token, in the v1.0
// shape Graph tokens have (access-token-claims-reference). aio and rh are
// opaque in Entra ID; here they are random. uti is the token's unique ID and
// also carries its issue serial, which ExpireTokens compares against.
type accessClaims struct {
	Aud            string   `json:"aud"`
	Iss            string   `json:"iss"`
	Iat            int64    `json:"iat"`
	Nbf            int64    `json:"nbf"`
	Exp            int64    `json:"exp"`
	Aio            string   `json:"aio"`
	AppDisplayName string   `json:"app_displayname"`
	AppID          string   `json:"appid"`
	AppIDAcr       string   `json:"appidacr"`
	Idp            string   `json:"idp"`
	Idtyp          string   `json:"idtyp"`
	Oid            string   `json:"oid"`
	Rh             string   `json:"rh"`
	Roles          []string `json:"roles,omitempty"` // omitted when no permission is granted
	Sub            string   `json:"sub"`
	Tid            string   `json:"tid"`
	Uti            string   `json:"uti"`
	Ver            string   `json:"ver"`
}

// v1Issuer is the issuer of v1.0 access tokens, the version Graph accepts.
func v1Issuer(tenantID string) string { return "https://sts.windows.net/" + tenantID + "/" }

// Default lifetime bounds: "a random value ranging between 60-90 minutes"
// (https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#token-lifetime).
const (
	minDefaultLifetime = 60 * time.Minute
	maxDefaultLifetime = 90 * time.Minute
)

// issue mints an access token for app a in tenant t and returns it with its
// lifetime. acr is the appidacr claim ("1" secret, "2" certificate).
func (p *Provider) issue(t *tenant, a *app, aud, acr string) (string, time.Duration, error) {
	now := p.now()
	p.mu.Lock()
	lifetime := p.lifetime
	if lifetime <= 0 {
		span := int64((maxDefaultLifetime - minDefaultLifetime) / time.Second)
		lifetime = minDefaultLifetime + time.Duration(p.lifetimeRNG.Int64N(span+1))*time.Second
	}
	p.serial++
	serial := p.serial
	var uti [16]byte
	binary.BigEndian.PutUint64(uti[:8], serial)
	fillRandom(p.rng, uti[8:])
	aio, rh := make([]byte, 48), make([]byte, 24)
	fillRandom(p.rng, aio)
	fillRandom(p.rng, rh)
	p.mu.Unlock()

	oid := ServicePrincipalID(t.id, a.clientID)
	c := accessClaims{
		Aud:            aud,
		Iss:            v1Issuer(t.id),
		Iat:            now.Unix(),
		Nbf:            now.Unix(),
		Exp:            now.Add(lifetime).Unix(),
		Aio:            b64.EncodeToString(aio),
		AppDisplayName: a.displayName,
		AppID:          a.clientID,
		AppIDAcr:       acr,
		Idp:            v1Issuer(t.id),
		Idtyp:          "app",
		Oid:            oid,
		Rh:             "0." + b64.EncodeToString(rh) + ".",
		Roles:          rolesFor(aud, a.roles),
		Sub:            oid,
		Tid:            t.id,
		Uti:            b64.EncodeToString(uti[:]),
		Ver:            "1.0",
	}
	// v1.0 tokens carry the key thumbprint as both kid and the legacy x5t
	// (access-token-claims-reference, header claims).
	tok, err := signRS256(p.key, jwsHeader{Typ: "JWT", X5t: p.keyID, Kid: p.keyID}, c)
	if err != nil {
		return "", 0, err
	}
	return tok, lifetime, nil
}

// utiSerial recovers the issue serial from a uti claim written by issue.
func utiSerial(uti string) (uint64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(uti)
	if err != nil || len(b) != 16 {
		return 0, false
	}
	return binary.BigEndian.Uint64(b[:8]), true
}

// IssueToken mints a Graph access token for app appID in tenant tenantName
// (ID or domain) without an HTTP round trip, as a client secret grant would;
// it fails like the grant for unknown and disabled apps.
// Tests of Graph handlers use it with a static token credential.
func (p *Provider) IssueToken(tenantName, appID string) (string, error) {
	t := p.lookupTenant(tenantName)
	if t == nil {
		return "", fmt.Errorf("issue token: tenant %q is not configured", tenantName)
	}
	a, ok := p.snapshotApp(appID)
	if !ok || !a.installedIn(t) {
		return "", fmt.Errorf("issue token: app %q is not registered in tenant %s", appID, t.id)
	}
	if a.disabled {
		return "", fmt.Errorf("issue token: app %s is disabled", a.clientID)
	}
	tok, _, err := p.issue(t, &a, GraphResource, "1")
	if err != nil {
		return "", fmt.Errorf("issue token for app %s: %w", a.clientID, err)
	}
	return tok, nil
}
