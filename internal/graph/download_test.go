package graph

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// contentHost is a pre-authenticated download host: it serves size bytes
// of a deterministic pattern, honours Range and If-Range, and can cut the
// connection after a number of bytes.
type contentHost struct {
	t           *testing.T
	size        int64
	etag        string
	mu          sync.Mutex
	cutAfter    []int64 // per request: drop after this many body bytes (0: never)
	requests    []*http.Request
	ignoreRange bool
	badRange    bool
	expired     string // path that answers 403, as an expired URL does
}

func pattern(off int64, p []byte) {
	for i := range p {
		x := off + int64(i)
		p[i] = byte(x ^ x>>8 ^ x>>16)
	}
}

func (h *contentHost) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.requests = append(h.requests, r)
	n := len(h.requests)
	cut := int64(0)
	if n <= len(h.cutAfter) {
		cut = h.cutAfter[n-1]
	}
	h.mu.Unlock()
	if r.URL.Path == h.expired {
		w.WriteHeader(403)
		return
	}
	start := int64(0)
	status := 200
	if rg := r.Header.Get("Range"); rg != "" && !h.ignoreRange && (r.Header.Get("If-Range") == "" || r.Header.Get("If-Range") == h.etag) {
		v, _ := strings.CutPrefix(rg, "bytes=")
		start, _ = strconv.ParseInt(strings.TrimSuffix(v, "-"), 10, 64)
		status = 206
		cr := fmt.Sprintf("bytes %d-%d/%d", start, h.size-1, h.size)
		if h.badRange {
			cr = fmt.Sprintf("bytes %d-%d/%d", start+1, h.size-1, h.size)
		}
		w.Header().Set("Content-Range", cr)
	}
	w.Header().Set("ETag", h.etag)
	w.Header().Set("Content-Length", strconv.FormatInt(h.size-start, 10))
	w.WriteHeader(status)
	buf := make([]byte, 64<<10)
	for off := start; off < h.size; {
		chunk := buf[:min(int64(len(buf)), h.size-off)]
		if cut > 0 && off-start+int64(len(chunk)) > cut {
			chunk = chunk[:cut-(off-start)]
			pattern(off, chunk)
			_, _ = w.Write(chunk)
			w.(http.Flusher).Flush()
			dropConnection(h.t, w)
			return
		}
		pattern(off, chunk)
		if _, err := w.Write(chunk); err != nil {
			return
		}
		off += int64(len(chunk))
	}
}

func expected(size int64) []byte {
	b := make([]byte, size)
	pattern(0, b)
	return b
}

// downloadSetup returns a Client whose /drives/d1/items/i1/content
// redirects to the content host.
func downloadSetup(t *testing.T, host *contentHost) (*Client, *httptest.Server, *[]string) {
	dl := httptest.NewServer(host)
	t.Cleanup(dl.Close)
	var graphPaths []string
	var mu sync.Mutex
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		graphPaths = append(graphPaths, r.URL.Path)
		mu.Unlock()
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			t.Errorf("Graph call without a token")
		}
		w.Header().Set("Location", dl.URL+"/download/i1?tempauth=DLSECRET")
		w.WriteHeader(302)
	})
	c, _, _ := testClient(t, h, Options{MaxResumes: 3})
	return c, dl, &graphPaths
}

func TestDownloadFollowsRedirectWithoutToken(t *testing.T) {
	host := &contentHost{t: t, size: 1 << 20, etag: `"e1"`}
	c, _, graphPaths := downloadSetup(t, host)
	rc, err := c.Download(t.Context(), "d1", "i1", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, expected(host.size)) {
		t.Fatalf("read %d bytes, err %v", len(got), err)
	}
	if len(*graphPaths) != 1 || (*graphPaths)[0] != "/v1.0/drives/d1/items/i1/content" {
		t.Errorf("Graph saw %v", *graphPaths)
	}
	for _, r := range host.requests {
		if r.Header.Get("Authorization") != "" {
			t.Fatal("the bearer token reached the download host")
		}
	}
	if s := c.Stats(); s.BytesDown < host.size {
		t.Errorf("BytesDown = %d", s.BytesDown)
	}
}

func TestDownloadResumesWithRange(t *testing.T) {
	host := &contentHost{t: t, size: 3<<20 + 17, etag: `"v7"`, cutAfter: []int64{1 << 20, 700 << 10}}
	c, _, _ := downloadSetup(t, host)
	rc, err := c.Download(t.Context(), "d1", "i1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(got, expected(host.size)) {
		t.Fatalf("read %d of %d bytes, err %v", len(got), host.size, err)
	}
	if len(host.requests) != 3 {
		t.Fatalf("%d requests to the download host, want 3", len(host.requests))
	}
	for i, want := range []string{"", "bytes=1048576-", fmt.Sprintf("bytes=%d-", 1<<20+700<<10)} {
		r := host.requests[i]
		if r.Header.Get("Range") != want {
			t.Errorf("request %d Range = %q, want %q", i, r.Header.Get("Range"), want)
		}
		if i > 0 && r.Header.Get("If-Range") != `"v7"` {
			t.Errorf("request %d If-Range = %q", i, r.Header.Get("If-Range"))
		}
	}
}

func TestDownloadRejectsBadResume(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*contentHost)
		want string
	}{
		{"range ignored", func(h *contentHost) { h.ignoreRange = true }, "not 206"},
		{"wrong Content-Range", func(h *contentHost) { h.badRange = true }, "Content-Range"},
		{"too many drops", func(h *contentHost) { h.cutAfter = []int64{100, 100, 100, 100, 100} }, "gave up after 3 resumes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := &contentHost{t: t, size: 1 << 20, etag: `"e"`, cutAfter: []int64{1000}}
			tc.mod(host)
			c, _, _ := downloadSetup(t, host)
			rc, err := c.Download(t.Context(), "d1", "i1", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			_, err = io.ReadAll(rc)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "DLSECRET") {
				t.Errorf("error shows the download URL: %v", err)
			}
			// The error is sticky.
			if _, err2 := rc.Read(make([]byte, 10)); err2 == nil {
				t.Error("read after failure succeeded")
			}
		})
	}
}

func TestDownloadExpiredURLFallsBackToContent(t *testing.T) {
	host := &contentHost{t: t, size: 4096, etag: `"e"`, expired: "/old"}
	c, dl, graphPaths := downloadSetup(t, host)
	rc, err := c.Download(t.Context(), "d1", "i1", &DownloadOptions{URL: dl.URL + "/old?tempauth=EXPIRED"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, expected(host.size)) || len(*graphPaths) != 1 {
		t.Errorf("read %d bytes with %d Graph calls; want the content via a fresh URL", len(got), len(*graphPaths))
	}
	// A fresh URL from a listing saves the Graph call entirely.
	rc, err = c.Download(t.Context(), "d1", "i1", &DownloadOptions{URL: dl.URL + "/download/i1"})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, rc)
	rc.Close()
	if len(*graphPaths) != 1 {
		t.Errorf("Graph called %d times, want no call for a valid listing URL", len(*graphPaths))
	}
}

func TestDownloadStreamsWithFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 128 MiB over loopback")
	}
	const size = 128 << 20
	host := &contentHost{t: t, size: size, etag: `"big"`, cutAfter: []int64{size / 2}}
	c, _, _ := downloadSetup(t, host)
	want := sha256.New()
	buf := make([]byte, 64<<10)
	for off := int64(0); off < size; off += int64(len(buf)) {
		pattern(off, buf)
		want.Write(buf)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rc, err := c.Download(t.Context(), "d1", "i1", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := sha256.New()
	n, err := io.Copy(got, rc)
	rc.Close()
	runtime.ReadMemStats(&after)
	if err != nil || n != size || !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatalf("copied %d bytes, err %v, hash match %v", n, err, bytes.Equal(got.Sum(nil), want.Sum(nil)))
	}
	// Client and server together: allocation must not grow with the file.
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("streamed %d MiB with one resume, allocating %.1f MiB", size>>20, float64(alloc)/(1<<20))
	if alloc > 16<<20 {
		t.Errorf("allocated %d MiB to stream %d MiB", alloc>>20, size>>20)
	}
}

func TestParseContentRange(t *testing.T) {
	for _, tc := range []struct {
		in                 string
		first, last, total int64
		ok                 bool
	}{
		{"bytes 0-99/1000", 0, 99, 1000, true},
		{"bytes 100-199/*", 100, 199, -1, true},
		{"bytes 5-4/10", 0, 0, 0, false},
		{"bytes 0-10/10", 0, 0, 0, false},
		{"items 0-1/2", 0, 0, 0, false},
		{"bytes */1000", 0, 0, 0, false},
		{"", 0, 0, 0, false},
	} {
		f, l, tot, ok := parseContentRange(tc.in)
		if ok != tc.ok || (ok && (f != tc.first || l != tc.last || tot != tc.total)) {
			t.Errorf("parseContentRange(%q) = %d, %d, %d, %v", tc.in, f, l, tot, ok)
		}
	}
}

func FuzzParseContentRange(f *testing.F) {
	f.Add("bytes 0-99/1000")
	f.Add("bytes 100-199/*")
	f.Add("bytes -1--2/3")
	f.Fuzz(func(t *testing.T, s string) {
		first, last, total, ok := parseContentRange(s)
		if !ok {
			return
		}
		if first < 0 || last < first || (total != -1 && total <= last) {
			t.Fatalf("parseContentRange(%q) = %d, %d, %d", s, first, last, total)
		}
	})
}
