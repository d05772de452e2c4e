package m365sim

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// baseURL returns scheme://host of the request as the client addressed it,
// so absolute links (nextLink, deltaLink, downloadUrl) lead back here.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// selfLink returns the absolute URL of the request's resource under the
// Graph version the client used, with the given query.
func selfLink(r *http.Request, path string, q url.Values) string {
	u := baseURL(r) + "/" + apiVersion(r) + path
	if len(q) > 0 {
		u += "?" + encodeQuery(q)
	}
	return u
}

// encodeQuery encodes q keeping '$' and ',' readable, as Graph's links do.
func encodeQuery(q url.Values) string {
	s := q.Encode()
	s = strings.ReplaceAll(s, "%24", "$")
	s = strings.ReplaceAll(s, "%2C", ",")
	return s
}

// contextURL returns an @odata.context value.
func contextURL(r *http.Request, fragment string) string {
	return baseURL(r) + "/" + apiVersion(r) + "/$metadata#" + fragment
}

// pageToken is the state behind an opaque $skiptoken or $deltatoken.
type pageToken struct {
	Offset  int    `json:"o,omitempty"` // list paging
	After   int64  `json:"a,omitempty"` // delta: entries after this sequence
	Upto    int64  `json:"u,omitempty"` // delta: round's upper bound
	Initial bool   `json:"i,omitempty"` // delta: first round (no removals)
	Select  string `json:"s,omitempty"` // delta: $select encoded in the token
	Extra   string `json:"x,omitempty"` // resource-specific state (window, filter)
	Size    int    `json:"p,omitempty"` // page size
}

func (t pageToken) encode() string {
	b, _ := json.Marshal(t)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(s string) (pageToken, bool) {
	var t pageToken
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &t) != nil {
		return t, false
	}
	return t, true
}

// collection writes a page of a collection.
func collection(w http.ResponseWriter, r *http.Request, ctx string, items []map[string]any, extra map[string]any) {
	body := map[string]any{"@odata.context": contextURL(r, ctx)}
	for k, v := range extra {
		body[k] = v
	}
	if items == nil {
		items = []map[string]any{}
	}
	body["value"] = items
	writeJSON(w, http.StatusOK, body)
}
