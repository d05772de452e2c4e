package identity

import (
	"net/http"
	"strings"
)

// Microsoft Defender for Endpoint's API resource ("WindowsDefenderATP"): its
// application ID URI and its app ID. A client credentials token for it is
// requested with the scope https://api.securitycenter.microsoft.com/.default
// and carries that URI as aud; a Graph token is refused there, and an MDE
// token by Graph.
// https://learn.microsoft.com/en-us/defender-endpoint/api/exposed-apis-create-app-webapp
const (
	MDEResource = "https://api.securitycenter.microsoft.com"
	MDEAppID    = "fc780465-2017-40d4-a0c5-307022471b92"
)

// mdeRoles are the application permissions of the WindowsDefenderATP
// resource (exposed-apis-list and each API's Permissions section). An app's
// grant may hold Graph and MDE permissions; each token carries only those
// of its own resource, as Entra ID issues them.
var mdeRoles = map[string]bool{
	"Machine.Read.All": true, "Machine.ReadWrite.All": true, "Machine.Isolate": true, "Machine.Scan": true,
	"Machine.RestrictExecution": true, "Machine.CollectForensics": true, "Machine.Offboard": true,
	"Machine.StopAndQuarantine": true, "Machine.LiveResponse": true, "Alert.Read.All": true, "Alert.ReadWrite.All": true,
	"Vulnerability.Read.All": true, "Software.Read.All": true, "Score.Read.All": true,
	"SecurityRecommendation.Read.All": true, "AdvancedQuery.Read.All": true, "Ti.ReadWrite.All": true,
}

// IsMDERole reports whether role is a Defender for Endpoint API permission
// rather than a Graph one.
func IsMDERole(role string) bool { return mdeRoles[role] }

// resourceForm maps a requested resource to the aud its tokens carry and a
// key naming the resource, so that two forms of one resource in a scope
// count once. "https://graph.microsoft.com/" appears when clients append
// "/.default" to a resource URI that already ends in a slash (scopes-oidc,
// "Trailing slash and .default").
func resourceForm(resource string) (aud, key string, ok bool) {
	switch strings.ToLower(resource) {
	case "https://graph.microsoft.com", "https://graph.microsoft.com/":
		return GraphResource, "graph", true
	case GraphAppID:
		return GraphAppID, "graph", true
	case MDEResource, MDEResource + "/":
		return MDEResource, "mde", true
	case MDEAppID:
		return MDEAppID, "mde", true
	}
	return "", "", false
}

func isGraphAudience(aud string) bool { return aud == GraphResource || aud == GraphAppID }

func isMDEAudience(aud string) bool { return aud == MDEResource || aud == MDEAppID }

// rolesFor returns the roles of grant that belong to the resource aud names.
func rolesFor(aud string, grant []string) []string {
	mde := isMDEAudience(aud)
	var out []string
	for _, r := range grant {
		if mdeRoles[r] == mde {
			out = append(out, r)
		}
	}
	return out
}

// AuthenticateMDE validates the bearer token of a Defender for Endpoint API
// request as Authenticate does for Graph, accepting only tokens issued for
// the MDE resource. The caller writes the error in the MDE API's shape.
func (p *Provider) AuthenticateMDE(r *http.Request) (*Principal, *AuthError) {
	return p.authenticate(r, isMDEAudience)
}
