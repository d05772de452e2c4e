package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Upload-session fragment rules (driveitem-createuploadsession): every
// fragment but the last is a multiple of 320 KiB, and each request is under
// 60 MiB. Outlook attachment sessions ask for at most 4 MB per PUT
// (outlook-large-attachments).
const (
	fragmentUnit          = 320 << 10
	maxDriveFragment      = 60<<20 - fragmentUnit // largest multiple of 320 KiB under 60 MiB
	maxAttachmentFragment = 4 << 20
	defaultFragment       = 10 << 20 // 32 × 320 KiB
)

// fragmentSize rounds a requested fragment size down to a multiple of
// 320 KiB within [320 KiB, limit]; 0 selects the default.
func fragmentSize(requested, limit int64) int64 {
	if requested <= 0 {
		requested = defaultFragment
	}
	if requested > limit {
		requested = limit
	}
	requested -= requested % fragmentUnit
	if requested < fragmentUnit {
		requested = fragmentUnit
	}
	return requested
}

// UploadSession is an upload session as Graph returns it. Outlook answers
// in PascalCase ("ExpirationDateTime"); encoding/json matches either.
type UploadSession struct {
	UploadURL          string    `json:"uploadUrl"`
	ExpirationDateTime time.Time `json:"expirationDateTime"`
	NextExpectedRanges []string  `json:"nextExpectedRanges"`
}

// nextOffset returns the first byte the server still expects, from
// nextExpectedRanges entries like "26-", "12345-55232" or Outlook's bare
// "2097152". With several ranges the lowest start wins: fragments are sent
// in order.
func nextOffset(ranges []string) (int64, bool) {
	best, found := int64(0), false
	for _, r := range ranges {
		s := strings.TrimSpace(r)
		if i := strings.IndexByte(s, '-'); i >= 0 {
			s = strings.TrimSpace(s[:i])
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			continue
		}
		if !found || n < best {
			best, found = n, true
		}
	}
	return best, found
}

// sessionUpload describes one upload into an open session.
type sessionUpload struct {
	url      string
	size     int64
	fragment int64
	class    Class
	resource string
	op       string
}

// errRewind means the server wants bytes that have already left the
// one-fragment buffer and the reader cannot seek back.
var errRewind = errors.New("upload session wants bytes before the buffered fragment and the reader cannot seek")

// upload sends r to the session in fragments and returns the final
// response's status, headers and body. Memory use is one fragment. After a
// fragment fails (past the retry layer's own retries) or is answered 416,
// the session's status (GET uploadUrl) says where to resume; resumes are
// bounded. The upload URL is pre-authenticated: no Authorization is sent.
func (c *Client) upload(ctx context.Context, s sessionUpload, r io.Reader) (int, http.Header, []byte, error) {
	buf := fragmentBuffer{r: r, data: make([]byte, 0, s.fragment), size: s.size}
	var offset int64
	resumes := 0
	for {
		chunk, err := buf.at(offset)
		if err != nil {
			return 0, nil, nil, fmt.Errorf("graph: %s: %w", s.op, err)
		}
		end := offset + int64(len(chunk)) // exclusive
		req := &Request{
			Op: s.op, Method: http.MethodPut, URL: s.url, noAuth: true,
			Class: s.class, Resource: s.resource, Body: bytes.NewReader(chunk),
			Header: http.Header{
				"Content-Range": {fmt.Sprintf("bytes %d-%d/%d", offset, end-1, s.size)},
				"Content-Type":  {"application/octet-stream"},
			},
		}
		status, h, body, err := c.roundTrip(ctx, req)
		if err == nil {
			switch {
			case (status == http.StatusOK || status == http.StatusCreated) && end == s.size:
				return status, h, body, nil
			case status == http.StatusOK || status == http.StatusAccepted:
				// More to send: drive answers 202, Outlook 200, both with
				// nextExpectedRanges.
				var sess UploadSession
				offset = end
				if json.Unmarshal(body, &sess) == nil {
					if n, ok := nextOffset(sess.NextExpectedRanges); ok {
						offset = n
					}
				}
				continue
			}
			return 0, nil, nil, fmt.Errorf("graph: %s: unexpected status %d after bytes %d-%d of %d", s.op, status, offset, end-1, s.size)
		}
		if !resumableUploadError(err) || ctx.Err() != nil || resumes >= c.opts.MaxResumes {
			return 0, nil, nil, err
		}
		resumes++
		next, serr := c.sessionStatus(ctx, s)
		if serr != nil {
			return 0, nil, nil, fmt.Errorf("%w (resume status: %v)", err, serr)
		}
		c.log.Debug("graph upload resuming", "op", s.op, "offset", next)
		offset = next
	}
}

// resumableUploadError reports whether asking the session where to resume
// may cure a failed fragment: a dropped connection, a 5xx or 429 that
// outlasted the retry layer, or 416 (the server already has that range).
// Other 4xx answers (409 name conflict at commit, 404 session gone) are final.
func resumableUploadError(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return transient(err)
	}
	return apiErr.Status == http.StatusRequestedRangeNotSatisfiable ||
		apiErr.Status == http.StatusTooManyRequests || apiErr.Status >= 500
}

// sessionStatus asks an upload session which bytes it still expects.
func (c *Client) sessionStatus(ctx context.Context, s sessionUpload) (int64, error) {
	req := &Request{Op: s.op + " status", URL: s.url, noAuth: true, Class: s.class, Resource: s.resource}
	_, _, body, err := c.roundTrip(ctx, req)
	if err != nil {
		return 0, err
	}
	var sess UploadSession
	if err := json.Unmarshal(body, &sess); err != nil {
		return 0, fmt.Errorf("decode upload session status: %w", err)
	}
	n, ok := nextOffset(sess.NextExpectedRanges)
	if !ok {
		return 0, errors.New("upload session status has no nextExpectedRanges")
	}
	return n, nil
}

// cancelSession deletes an abandoned upload session so the service can
// discard its bytes now rather than at expiry. Best effort.
func (c *Client) cancelSession(ctx context.Context, s sessionUpload) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	req := &Request{Op: s.op + " cancel", Method: http.MethodDelete, URL: s.url, noAuth: true, Class: s.class, Resource: s.resource}
	if _, _, _, err := c.roundTrip(ctx, req); err != nil {
		c.log.Debug("graph upload session cancel failed", "op", s.op, "err", err)
	}
}

// roundTrip sends req and reads the whole (small) response body.
func (c *Client) roundTrip(ctx context.Context, req *Request) (int, http.Header, []byte, error) {
	resp, err := c.Do(ctx, req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPageBytes))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("graph: %s: read response: %w", req.op(), err)
	}
	return resp.StatusCode, resp.Header, body, nil
}

// fragmentBuffer holds the bytes [start, start+len(data)) of the upload
// source, at most one fragment, refilled from r as the offset advances.
type fragmentBuffer struct {
	r     io.Reader
	data  []byte
	start int64
	size  int64
	read  int64 // bytes consumed from r so far
}

// at returns the fragment to send from offset: as many buffered bytes as
// possible, a whole number of 320 KiB units unless it ends the file.
func (b *fragmentBuffer) at(offset int64) ([]byte, error) {
	if offset < 0 || offset >= b.size {
		return nil, fmt.Errorf("server expects byte %d of a %d-byte upload", offset, b.size)
	}
	if offset < b.start {
		s, ok := b.r.(io.Seeker)
		if !ok {
			return nil, errRewind
		}
		if _, err := s.Seek(offset, io.SeekStart); err != nil {
			return nil, fmt.Errorf("seek upload source: %w", err)
		}
		b.start, b.read, b.data = offset, offset, b.data[:0]
	}
	// Drop what the server already has, keep the rest at the front.
	if drop := offset - b.start; drop > 0 {
		if drop >= int64(len(b.data)) {
			if err := b.skip(offset - b.read); err != nil {
				return nil, err
			}
			b.data = b.data[:0]
		} else {
			b.data = b.data[:copy(b.data, b.data[drop:])]
		}
		b.start = offset
	}
	// Fill up to one fragment or the end of the source.
	want := min(int64(cap(b.data)), b.size-b.start)
	if have := int64(len(b.data)); have < want {
		n, err := io.ReadFull(b.r, b.data[have:want])
		b.read += int64(n)
		b.data = b.data[:have+int64(n)]
		if err != nil {
			return nil, fmt.Errorf("upload source ended at byte %d of %d: %w", b.read, b.size, err)
		}
	}
	chunk := b.data
	if b.start+int64(len(chunk)) < b.size {
		chunk = chunk[:len(chunk)-len(chunk)%fragmentUnit]
	}
	return chunk, nil
}

// skip discards n bytes of the source the server already holds.
func (b *fragmentBuffer) skip(n int64) error {
	if n <= 0 {
		return nil
	}
	got, err := io.CopyN(io.Discard, b.r, n)
	b.read += got
	if err != nil {
		return fmt.Errorf("upload source ended at byte %d of %d: %w", b.read, b.size, err)
	}
	return nil
}
