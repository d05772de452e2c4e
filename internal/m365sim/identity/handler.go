package identity

import (
	"net/http"
	"strings"
)

// Handler returns the HTTP handler for the identity endpoints listed in the
// package documentation. Other paths get 404; Handles tells a caller that
// multiplexes Graph and identity on one listener which paths are ours.
func (p *Provider) Handler() http.Handler {
	return http.HandlerFunc(p.serveHTTP)
}

func (p *Provider) serveHTTP(w http.ResponseWriter, r *http.Request) {
	tenantName, ep := route(r.URL.Path)
	switch ep {
	case epToken:
		p.serveToken(w, r, tenantName)
	case epInstance, epOpenID, epKeys:
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		switch ep {
		case epInstance:
			p.serveInstanceDiscovery(w, r)
		case epOpenID:
			p.serveOpenIDConfig(w, r, tenantName)
		default:
			p.serveKeys(w, r, tenantName)
		}
	default:
		http.NotFound(w, r)
	}
}

type endpoint int

const (
	epNone endpoint = iota
	epInstance
	epOpenID
	epKeys
	epToken
)

// route maps a path to an endpoint and its {tenant} segment.
func route(path string) (string, endpoint) {
	rest, ok := strings.CutPrefix(path, "/")
	if !ok {
		return "", epNone
	}
	tenantName, tail, ok := strings.Cut(rest, "/")
	if !ok || tenantName == "" {
		return "", epNone
	}
	switch tail {
	case "discovery/instance":
		return tenantName, epInstance
	case "v2.0/.well-known/openid-configuration":
		return tenantName, epOpenID
	case "discovery/v2.0/keys", "discovery/keys":
		return tenantName, epKeys
	case "oauth2/v2.0/token":
		return tenantName, epToken
	}
	return "", epNone
}

// Handles reports whether path is one Handler serves, so a server that also
// serves Graph on the same listener can dispatch without pattern conflicts.
func Handles(path string) bool {
	_, ep := route(path)
	return ep != epNone
}

// baseURL is the scheme and host this provider advertises to r's sender.
func (p *Provider) baseURL(r *http.Request) string {
	if p.publicURL != nil {
		return p.publicURL.String()
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + safeHost(r.Host)
}

// safeHost returns host if it holds only characters of a host[:port], else
// "localhost". The host goes into JSON, URLs and quoted header values, and
// handlers can be reached without net/http's own Host header checks.
func safeHost(host string) string {
	if host == "" || len(host) > 255 {
		return "localhost"
	}
	for _, c := range host {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']') {
			return "localhost"
		}
	}
	return host
}
