package m365sim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// downloadTTL is how long a pre-authenticated download URL works; the
// driveItem resource documents one hour.
// https://learn.microsoft.com/en-us/graph/api/resources/driveitem
const downloadTTL = time.Hour

type downloadClaim struct {
	Drive   string `json:"d"`
	Item    string `json:"i"`
	Version string `json:"v,omitempty"` // a stored version id, or "" for current
	Rev     int64  `json:"r"`           // item version the URL was issued for
	Expires int64  `json:"e"`
}

// downloadURL issues a pre-authenticated URL: anyone holding it can read
// the content until it expires, without an Authorization header.
func (s *Server) downloadURL(r *http.Request, drive, item, version string, rev int64) string {
	c := downloadClaim{Drive: drive, Item: item, Version: version, Rev: rev, Expires: s.opts.Now().Add(downloadTTL).Unix()}
	b, _ := json.Marshal(c)
	mac := hmac.New(sha256.New, s.dlKey)
	mac.Write(b)
	return baseURL(r) + "/_download/" + base64.RawURLEncoding.EncodeToString(b) + "." +
		base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:16])
}

func (s *Server) readDownloadClaim(token string) (downloadClaim, bool) {
	var c downloadClaim
	body, sig, ok := strings.Cut(token, ".")
	if !ok {
		return c, false
	}
	b, err1 := base64.RawURLEncoding.DecodeString(body)
	want, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil {
		return c, false
	}
	mac := hmac.New(sha256.New, s.dlKey)
	mac.Write(b)
	if !hmac.Equal(mac.Sum(nil)[:16], want) || json.Unmarshal(b, &c) != nil {
		return c, false
	}
	return c, s.opts.Now().Unix() <= c.Expires
}

// serveDownload serves a pre-authenticated download URL, honouring Range
// (206) and If-None-Match (304) as the download host does.
// https://learn.microsoft.com/en-us/graph/api/driveitem-get-content
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	c, ok := s.readDownloadClaim(strings.TrimPrefix(r.URL.Path, "/_download/"))
	if !ok {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var blob tenant.Blob
	var name, etag string
	var modified time.Time
	s.t(r).Read(func() error {
		d := s.t(r).Drives[c.Drive]
		if d == nil {
			return nil
		}
		it := d.Item(c.Item)
		if it == nil {
			return nil
		}
		name, etag = it.Name, it.ETag()
		if c.Version == "" {
			blob = it.Content
			return nil
		}
		for _, v := range it.Versions {
			if v.ID == c.Version {
				blob, modified = v.Content, v.Modified
			}
		}
		return nil
	})
	if blob == nil {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", `attachment; filename*=UTF-8''`+url.PathEscape(name))
	http.ServeContent(w, r, "", modified, io.NewSectionReader(blob, 0, blob.Size()))
}
