package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
)

// page is Graph's collection envelope (https://learn.microsoft.com/en-us/graph/paging).
type page struct {
	Value     []json.RawMessage
	NextLink  string
	DeltaLink string
	Count     *int64 // @odata.count, on the first page only
}

// maxPageBytes bounds one page. Graph pages hold at most 1,000 items and
// even full message pages stay in the low megabytes; a larger body means
// something is wrong, and it must not exhaust memory.
const maxPageBytes = 256 << 20

// decodePage parses a page envelope. A body without a "value" array is an
// error: it is not a collection (as when a path names a single item).
func decodePage(data []byte) (*page, error) {
	var w struct {
		Value     *[]json.RawMessage `json:"value"`
		NextLink  string             `json:"@odata.nextLink"`
		DeltaLink string             `json:"@odata.deltaLink"`
		Count     *int64             `json:"@odata.count"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("decode page: %w", err)
	}
	if w.Value == nil {
		return nil, errors.New(`decode page: no "value" array`)
	}
	return &page{Value: *w.Value, NextLink: w.NextLink, DeltaLink: w.DeltaLink, Count: w.Count}, nil
}

// rawSetter is implemented by the models, which keep the JSON Graph sent.
type rawSetter interface{ setRaw(json.RawMessage) }

// decodeItem decodes one collection element into a T and, for models, keeps
// the element's JSON in Raw.
func decodeItem[T any](raw json.RawMessage) (T, error) {
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, err
	}
	if rs, ok := any(&v).(rawSetter); ok {
		rs.setRaw(raw)
	}
	return v, nil
}

// fetchPage sends req and decodes the page it returns.
func (c *Client) fetchPage(ctx context.Context, req *Request) (*page, error) {
	resp, data, err := c.doRead(ctx, req, maxPageBytes)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("graph: %s: unexpected status %d for a collection", req.op(), resp.StatusCode)
	}
	if len(data) > maxPageBytes {
		return nil, fmt.Errorf("graph: %s: page larger than %d bytes", req.op(), maxPageBytes)
	}
	p, err := decodePage(data)
	if err != nil {
		return nil, fmt.Errorf("graph: %s: %w", req.op(), err)
	}
	return p, nil
}

// pages iterates over the pages of a collection, following @odata.nextLink
// verbatim and resending the first request's headers (ConsistencyLevel,
// Prefer) on every page, as Graph does not carry them in the link. It stops
// after a page with no nextLink. A page may be empty and still have a
// nextLink; a nextLink that repeats the URL just fetched with no items is a
// loop and an error.
func (c *Client) pages(ctx context.Context, first Request) iter.Seq2[*page, error] {
	return func(yield func(*page, error) bool) {
		req := first
		for {
			p, err := c.fetchPage(ctx, &req)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(p, nil) || p.NextLink == "" {
				return
			}
			if p.NextLink == req.URL && len(p.Value) == 0 {
				yield(nil, fmt.Errorf("graph: %s: nextLink repeats the request with an empty page", req.op()))
				return
			}
			req.URL, req.Query = p.NextLink, nil
		}
	}
}

// List iterates over the items of the collection at path, decoding each
// into a T. On an error it yields the zero T with the error and stops.
// Breaking out of the loop stops paging.
func List[T any](ctx context.Context, c *Client, path string, opts ...RequestOption) iter.Seq2[T, error] {
	req := Request{Path: path}
	for _, o := range opts {
		o(&req)
	}
	return listRequest[T](ctx, c, req)
}

func listRequest[T any](ctx context.Context, c *Client, req Request) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for p, err := range c.pages(ctx, req) {
			if err != nil {
				yield(zero, err)
				return
			}
			for _, raw := range p.Value {
				v, err := decodeItem[T](raw)
				if err != nil {
					yield(zero, fmt.Errorf("graph: %s: decode item: %w", req.op(), err))
					return
				}
				if !yield(v, nil) {
					return
				}
			}
		}
	}
}

// Get fetches path and decodes the JSON response into out (models keep the
// raw JSON too). out may be nil to discard the body.
func (c *Client) Get(ctx context.Context, path string, out any, opts ...RequestOption) error {
	return c.Send(ctx, http.MethodGet, path, nil, out, opts...)
}

// Send sends a request with in (if not nil) as its JSON body and decodes a
// JSON response into out (if not nil). in may be a json.RawMessage or
// []byte to send verbatim.
func (c *Client) Send(ctx context.Context, method, path string, in, out any, opts ...RequestOption) error {
	req := Request{Method: method, Path: path}
	for _, o := range opts {
		o(&req)
	}
	if in != nil {
		var data []byte
		switch v := in.(type) {
		case json.RawMessage:
			data = v
		case []byte:
			data = v
		default:
			var err error
			if data, err = json.Marshal(in); err != nil {
				return fmt.Errorf("graph: %s: encode body: %w", req.op(), err)
			}
		}
		req.Body = bytes.NewReader(data)
		if req.Header == nil {
			req.Header = http.Header{}
		}
		if req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	return c.doJSON(ctx, &req, out)
}

// doJSON sends req and decodes the response body into out.
func (c *Client) doJSON(ctx context.Context, req *Request, out any) error {
	if out == nil {
		resp, err := c.Do(ctx, req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		return resp.Body.Close()
	}
	resp, data, err := c.doRead(ctx, req, maxPageBytes)
	if err != nil {
		return err
	}
	if resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if len(data) > maxPageBytes {
		return fmt.Errorf("graph: %s: response larger than %d bytes", req.op(), maxPageBytes)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("graph: %s: decode response: %w", req.op(), err)
	}
	if rs, ok := out.(rawSetter); ok {
		rs.setRaw(data)
	}
	return nil
}
