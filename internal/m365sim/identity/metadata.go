package identity

import (
	"encoding/base64"
	"math/big"
	"net/http"
	"net/url"
	"strings"
)

// publicCloudHosts are the login host aliases of Azure's public cloud, which
// MSAL also lists as known metadata.
var publicCloudHosts = []string{"login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"}

type instanceMetadata struct {
	PreferredNetwork string   `json:"preferred_network"`
	PreferredCache   string   `json:"preferred_cache"`
	Aliases          []string `json:"aliases"`
}

type instanceDiscovery struct {
	TenantDiscoveryEndpoint string             `json:"tenant_discovery_endpoint"`
	APIVersion              string             `json:"api-version"`
	Metadata                []instanceMetadata `json:"metadata"`
}

// serveInstanceDiscovery answers MSAL's authority validation,
// GET /common/discovery/instance?api-version=1.1&authorization_endpoint=https://{host}/{tenant}/oauth2/v2.0/authorize.
// Like the real service it only vouches for instances it knows: this
// provider's own host and the public cloud aliases (a hosts-file setup
// reaches the emulator as login.microsoftonline.com).
func (p *Provider) serveInstanceDiscovery(w http.ResponseWriter, r *http.Request) {
	selfHost := stripScheme(p.baseURL(r))
	ae := r.URL.Query().Get("authorization_endpoint")
	u, err := url.Parse(ae)
	if ae == "" || err != nil || u.Host == "" {
		// AADSTS50050 MalformedDiscoveryRequest.
		p.writeMetadataError(w, r, newSTSError("invalid_request", 50050,
			"The request is malformed: the authorization_endpoint parameter is missing or not a URL."))
		return
	}
	tenantSeg, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	known := strings.EqualFold(u.Host, selfHost) || u.Scheme == "https" && isPublicCloudHost(u.Host)
	if !known || !validTenantSegment(tenantSeg) {
		// AADSTS50049 NoSuchInstanceForDiscovery; MSAL looks for the
		// "invalid_instance" error.
		p.writeMetadataError(w, r, newSTSError("invalid_instance", 50049,
			"Unknown or invalid instance."))
		return
	}
	md := instanceMetadata{PreferredNetwork: u.Host, PreferredCache: u.Host, Aliases: []string{u.Host}}
	if isPublicCloudHost(u.Host) {
		md = instanceMetadata{PreferredNetwork: publicCloudHosts[0], PreferredCache: publicCloudHosts[1], Aliases: publicCloudHosts}
	}
	base := u.Scheme + "://" + u.Host
	traceID, _ := p.requestIDs(r)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	p.writeJSON(w, r, http.StatusOK, traceID, instanceDiscovery{
		TenantDiscoveryEndpoint: base + "/" + tenantSeg + "/v2.0/.well-known/openid-configuration",
		APIVersion:              "1.1",
		Metadata:                []instanceMetadata{md},
	})
}

// validTenantSegment applies MSAL's rule for the tenant in an authority,
// ^[0-9a-zA-Z-.]+$.
func validTenantSegment(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func isPublicCloudHost(h string) bool {
	h = strings.TrimSuffix(strings.ToLower(h), ":443")
	for _, c := range publicCloudHosts {
		if h == c {
			return true
		}
	}
	return false
}

// openIDConfig has the fields of Entra ID's v2.0 metadata document.
// msgraph_host and userinfo_endpoint name the real Graph, as this package
// does not know where the emulated Graph listens.
type openIDConfig struct {
	TokenEndpoint                     string   `json:"token_endpoint"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	JWKSURI                           string   `json:"jwks_uri"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	Issuer                            string   `json:"issuer"`
	RequestURIParameterSupported      bool     `json:"request_uri_parameter_supported"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	DeviceAuthorizationEndpoint       string   `json:"device_authorization_endpoint"`
	HTTPLogoutSupported               bool     `json:"http_logout_supported"`
	FrontchannelLogoutSupported       bool     `json:"frontchannel_logout_supported"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	ClaimsSupported                   []string `json:"claims_supported"`
	KerberosEndpoint                  string   `json:"kerberos_endpoint"`
	TenantRegionScope                 *string  `json:"tenant_region_scope"`
	CloudInstanceName                 string   `json:"cloud_instance_name"`
	CloudGraphHostName                string   `json:"cloud_graph_host_name"`
	MSGraphHost                       string   `json:"msgraph_host"`
	RBACURL                           string   `json:"rbac_url"`
}

// serveOpenIDConfig serves /{tenant}/v2.0/.well-known/openid-configuration.
// Endpoints name the tenant by ID even when the path used a domain, and the
// issuer is https://{host}/{tenantID}/v2.0 at the host the client used, which
// MSAL checks against its authority. The tenant-independent authorities get
// the "{tenant}" and "{tenantid}" placeholders, as in Entra ID.
func (p *Provider) serveOpenIDConfig(w http.ResponseWriter, r *http.Request, tenantName string) {
	seg, issuerTenant := "", ""
	if reservedTenants[strings.ToLower(tenantName)] {
		seg, issuerTenant = "{tenant}", "{tenantid}"
	} else if t := p.lookupTenant(tenantName); t != nil {
		seg, issuerTenant = t.id, t.id
	} else {
		p.writeMetadataError(w, r, unknownTenant(tenantName))
		return
	}
	base := p.baseURL(r)
	authority := base + "/" + seg
	region := "NA"
	traceID, _ := p.requestIDs(r)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	p.writeJSON(w, r, http.StatusOK, traceID, openIDConfig{
		TokenEndpoint:                     authority + "/oauth2/v2.0/token",
		TokenEndpointAuthMethodsSupported: []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		JWKSURI:                           authority + "/discovery/v2.0/keys",
		ResponseModesSupported:            []string{"query", "fragment", "form_post"},
		SubjectTypesSupported:             []string{"pairwise"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		ResponseTypesSupported:            []string{"code", "id_token", "code id_token", "id_token token"},
		ScopesSupported:                   []string{"openid", "profile", "email", "offline_access"},
		Issuer:                            base + "/" + issuerTenant + "/v2.0",
		UserinfoEndpoint:                  GraphResource + "/oidc/userinfo",
		AuthorizationEndpoint:             authority + "/oauth2/v2.0/authorize",
		DeviceAuthorizationEndpoint:       authority + "/oauth2/v2.0/devicecode",
		HTTPLogoutSupported:               true,
		FrontchannelLogoutSupported:       true,
		EndSessionEndpoint:                authority + "/oauth2/v2.0/logout",
		ClaimsSupported: []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name",
			"cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce",
			"preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"},
		KerberosEndpoint:   authority + "/kerberos",
		TenantRegionScope:  &region,
		CloudInstanceName:  "microsoftonline.com",
		CloudGraphHostName: "graph.windows.net",
		MSGraphHost:        "graph.microsoft.com",
		RBACURL:            "https://pas.windows.net",
	})
}

// unknownTenant is AADSTS90002 InvalidTenantName; the metadata endpoints
// report it as "invalid_tenant".
func unknownTenant(name string) *stsError {
	return newSTSError("invalid_tenant", 90002,
		"Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", clip(name))
}

type jwk struct {
	Kty string   `json:"kty"`
	Use string   `json:"use"`
	Kid string   `json:"kid"`
	X5t string   `json:"x5t"`
	N   string   `json:"n"`
	E   string   `json:"e"`
	X5c []string `json:"x5c"`
}

type jwkSet struct {
	Keys []jwk `json:"keys"`
}

// serveKeys publishes the token signing key as a JWKS (RFC 7517), with the
// x5c certificate (standard base64, §4.7) and the kid/x5t thumbprint that
// issued tokens carry.
func (p *Provider) serveKeys(w http.ResponseWriter, r *http.Request, tenantName string) {
	if !reservedTenants[strings.ToLower(tenantName)] && p.lookupTenant(tenantName) == nil {
		p.writeMetadataError(w, r, unknownTenant(tenantName))
		return
	}
	pub := p.key.PublicKey
	traceID, _ := p.requestIDs(r)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	p.writeJSON(w, r, http.StatusOK, traceID, jwkSet{Keys: []jwk{{
		Kty: "RSA",
		Use: "sig",
		Kid: p.keyID,
		X5t: p.keyID,
		N:   b64.EncodeToString(pub.N.Bytes()),
		E:   b64.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		X5c: []string{base64.StdEncoding.EncodeToString(p.keyCert)},
	}}})
}

// writeMetadataError writes an STS error body for the metadata endpoints,
// which answer 400 for every failure.
func (p *Provider) writeMetadataError(w http.ResponseWriter, r *http.Request, e *stsError) {
	e.status = http.StatusBadRequest
	p.writeSTSError(w, r, e)
}
