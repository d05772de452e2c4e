package m365sim

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
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

// collection writes a page of a collection. blobs are streamed in place of
// the items' blobMarker values.
func collection(w http.ResponseWriter, r *http.Request, ctx string, items []map[string]any, extra map[string]any, blobs ...tenant.Blob) {
	body := map[string]any{"@odata.context": contextURL(r, ctx)}
	for k, v := range extra {
		body[k] = v
	}
	if items == nil {
		items = []map[string]any{}
	}
	body["value"] = items
	writeJSONBlobs(w, http.StatusOK, body, blobs)
}

// blobMarker stands for blob i in a JSON value until writeJSONBlobs
// replaces it with the blob's base64 encoding. NUL cannot occur in the
// JSON text encoding/json writes except from such a string.
func blobMarker(i int) string { return "\x00blob:" + strconv.Itoa(i) + "\x00" }

// markerPattern is blobMarker as encoding/json escapes it.
var markerPattern = regexp.MustCompile(`\\u0000blob:([0-9]+)\\u0000`)

// writeJSONBlobs writes v as JSON, streaming the base64 of blobs where v
// holds their markers, with an exact Content-Length.
func writeJSONBlobs(w http.ResponseWriter, status int, v any, blobs []tenant.Blob) {
	if len(blobs) == 0 {
		writeJSON(w, status, v)
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	locs := markerPattern.FindAllSubmatchIndex(b, -1)
	n := int64(len(b))
	for _, m := range locs {
		i, _ := strconv.Atoi(string(b[m[2]:m[3]]))
		n += int64(base64.StdEncoding.EncodedLen(int(blobs[i].Size()))) - int64(m[1]-m[0])
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	h.Set("Content-Length", strconv.FormatInt(n, 10))
	w.WriteHeader(status)
	last := 0
	for _, m := range locs {
		w.Write(b[last:m[0]])
		i, _ := strconv.Atoi(string(b[m[2]:m[3]]))
		enc := base64.NewEncoder(base64.StdEncoding, w)
		if _, err := io.Copy(enc, tenant.Reader(blobs[i])); err != nil {
			panic(http.ErrAbortHandler) // headers are sent; cut the response
		}
		enc.Close()
		last = m[1]
	}
	w.Write(b[last:])
}
