package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// DownloadOptions refine Download.
type DownloadOptions struct {
	// URL is the item's @microsoft.graph.downloadUrl from a listing. It is
	// tried first, saving the /content round trip; when it has expired the
	// content endpoint is asked for a fresh one.
	URL string
	// VersionID downloads that version instead of the current content.
	VersionID string
}

// maxRedirects bounds redirects between download hosts.
const maxRedirects = 5

// Download streams a drive item's content. GET …/content answers 302 with a
// pre-authenticated URL (driveitem-get-content); the redirect is followed
// here, without the bearer token, never by net/http. If the connection
// drops, reading resumes transparently with Range: bytes=N- from the
// download URL, at most Options.MaxResumes times, and only from a 206 whose
// Content-Range starts at N and whose total matches (with If-Range set to
// the first response's ETag, so a file that changed meanwhile is not
// spliced). The caller must close the returned reader; until then it holds
// one of the drive's concurrency slots.
func (c *Client) Download(ctx context.Context, driveID, itemID string, opts *DownloadOptions) (io.ReadCloser, error) {
	d := &download{c: c, drive: driveID, total: -1}
	if opts != nil {
		d.url = opts.URL
	}
	if opts != nil && opts.VersionID != "" {
		d.contentPath = Pathf("/drives/%s/items/%s/versions/%s/content", driveID, itemID, opts.VersionID)
	} else {
		d.contentPath = Pathf("/drives/%s/items/%s/content", driveID, itemID)
	}
	rc, err := d.open(ctx)
	if err != nil {
		return nil, err
	}
	return &resumableReader{ctx: ctx, d: d, rc: rc}, nil
}

// download is the state of one streamed download.
type download struct {
	c           *Client
	drive       string
	contentPath string
	url         string // pre-authenticated download URL, once known
	etag        string
	total       int64 // -1 until known
	offset      int64 // bytes delivered to the caller
	resumes     int
}

// open returns the content stream from d.offset.
func (d *download) open(ctx context.Context) (io.ReadCloser, error) {
	resolved := false
	for redirects := 0; ; {
		if d.url == "" {
			if resolved {
				return nil, errors.New("graph: download: content endpoint gave no usable URL")
			}
			resolved = true
			rc, err := d.resolve(ctx)
			if err != nil || rc != nil {
				return rc, err
			}
			continue
		}
		req := &Request{Op: "download", URL: d.url, noAuth: true, Class: ClassDrive, Resource: d.drive, Header: d.rangeHeader()}
		resp, err := d.c.Do(ctx, req)
		if err != nil {
			var apiErr *APIError
			if !resolved && errors.As(err, &apiErr) && expiredURLStatus(apiErr.Status) {
				d.url = "" // the listing's URL has expired: ask for a new one
				continue
			}
			return nil, err
		}
		if loc, ok := redirectTarget(resp); ok {
			resp.Body.Close()
			if redirects++; redirects > maxRedirects {
				return nil, errors.New("graph: download: too many redirects")
			}
			d.url = loc
			continue
		}
		return d.accept(resp)
	}
}

// resolve asks the content endpoint for the download URL. It returns a body
// only if the endpoint served the content itself instead of redirecting.
func (d *download) resolve(ctx context.Context) (io.ReadCloser, error) {
	req := &Request{Op: "GET " + d.contentPath, Path: d.contentPath, Class: ClassDrive, Resource: d.drive, Header: d.rangeHeader()}
	resp, err := d.c.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	if loc, ok := redirectTarget(resp); ok {
		resp.Body.Close()
		d.url = loc
		return nil, nil
	}
	return d.accept(resp)
}

func (d *download) rangeHeader() http.Header {
	if d.offset == 0 {
		return nil
	}
	h := http.Header{"Range": {"bytes=" + strconv.FormatInt(d.offset, 10) + "-"}}
	if d.etag != "" {
		h.Set("If-Range", d.etag)
	}
	return h
}

// accept checks a content response and records the size and ETag of the
// first one. A resumed response must be 206 for exactly the missing bytes.
func (d *download) accept(resp *http.Response) (io.ReadCloser, error) {
	if d.offset == 0 {
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("graph: download: unexpected status %d", resp.StatusCode)
		}
		d.total = resp.ContentLength
		d.etag = resp.Header.Get("ETag")
		return resp.Body, nil
	}
	if resp.StatusCode != http.StatusPartialContent {
		resp.Body.Close()
		return nil, fmt.Errorf("graph: download: resume at byte %d answered %d, not 206 (content changed or range unsupported)", d.offset, resp.StatusCode)
	}
	start, _, total, ok := parseContentRange(resp.Header.Get("Content-Range"))
	if !ok || start != d.offset || (d.total >= 0 && total >= 0 && total != d.total) {
		resp.Body.Close()
		return nil, fmt.Errorf("graph: download: resume at byte %d got Content-Range %q", d.offset, resp.Header.Get("Content-Range"))
	}
	return resp.Body, nil
}

// expiredURLStatus: how a download host refuses an expired pre-authenticated URL.
func expiredURLStatus(s int) bool {
	return s == http.StatusUnauthorized || s == http.StatusForbidden || s == http.StatusNotFound || s == http.StatusGone
}

// redirectTarget returns the absolute Location of a redirect response.
func redirectTarget(resp *http.Response) (string, bool) {
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return "", false
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return "", false
	}
	u, err := resp.Request.URL.Parse(loc)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "", false
	}
	return u.String(), true
}

// parseContentRange parses "bytes first-last/total" (total may be "*",
// returned as -1).
func parseContentRange(v string) (first, last, total int64, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !found {
		return 0, 0, 0, false
	}
	rng, tot, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, 0, false
	}
	a, b, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, 0, false
	}
	var err error
	if first, err = strconv.ParseInt(a, 10, 64); err != nil || first < 0 {
		return 0, 0, 0, false
	}
	if last, err = strconv.ParseInt(b, 10, 64); err != nil || last < first {
		return 0, 0, 0, false
	}
	total = -1
	if tot != "*" {
		if total, err = strconv.ParseInt(tot, 10, 64); err != nil || total <= last {
			return 0, 0, 0, false
		}
	}
	return first, last, total, true
}

// resumableReader delivers a download and reconnects when the stream breaks.
type resumableReader struct {
	ctx     context.Context
	d       *download
	rc      io.ReadCloser
	pending error // a read error held back while returning the bytes before it
	failed  error // sticky: the download cannot continue
}

func (r *resumableReader) Read(p []byte) (int, error) {
	if r.failed != nil {
		return 0, r.failed
	}
	if r.rc == nil {
		return 0, errors.New("graph: download: read after close")
	}
	for {
		var n int
		err := r.pending
		r.pending = nil
		if err == nil {
			n, err = r.rc.Read(p)
			r.d.offset += int64(n)
		}
		if err == io.EOF && r.d.total >= 0 && r.d.offset < r.d.total {
			err = io.ErrUnexpectedEOF // the stream ended short without saying so
		}
		if err == nil || err == io.EOF {
			return n, err
		}
		if n > 0 {
			r.pending = err
			return n, nil
		}
		if r.ctx.Err() != nil {
			r.failed = r.ctx.Err()
			return 0, r.failed
		}
		if r.d.resumes >= r.d.c.opts.MaxResumes {
			r.failed = fmt.Errorf("graph: download: gave up after %d resumes: %w", r.d.resumes, scrubURLError(err, true))
			return 0, r.failed
		}
		r.d.resumes++
		r.rc.Close()
		r.d.c.log.Debug("graph download resuming", "offset", r.d.offset, "err", scrubURLError(err, true))
		rc, oerr := r.d.open(r.ctx)
		if oerr != nil {
			r.rc, r.failed = nil, oerr
			return 0, oerr
		}
		r.rc = rc
	}
}

func (r *resumableReader) Close() error {
	if r.rc == nil {
		return nil
	}
	err := r.rc.Close()
	r.rc = nil
	return err
}
