package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
)

// Reasons a DeltaItem is Removed.
const (
	// RemovedChanged: soft-deleted or moved out of the tracked scope; the
	// item may still exist elsewhere (Outlook's "changed").
	RemovedChanged = "changed"
	// RemovedDeleted: permanently deleted ("deleted", or a drive item's
	// deleted facet).
	RemovedDeleted = "deleted"
)

// DeltaItem is one change reported by a delta round. For a removal, Item
// holds only what Graph sent (usually just the id).
type DeltaItem[T any] struct {
	ID      string
	Removed bool
	Reason  string // RemovedChanged or RemovedDeleted when Removed
	Item    T
}

// DeltaRound is one round of a delta query: it follows @odata.nextLink pages
// until a page carries @odata.deltaLink, which DeltaLink then returns for the
// caller to persist and pass to the next round. Items may repeat within a
// round and across rounds; the last occurrence wins (delta-query-overview).
//
// A round is iterated once, in one goroutine. If the delta token has expired
// the iteration yields an *APIError for which IsResyncRequired is true; its
// Location, when Graph sent one, is the URL to restart from, otherwise the
// caller starts a new round without a link.
type DeltaRound[T any] struct {
	ctx   context.Context
	c     *Client
	first Request
	link  string
}

// Delta starts a delta round. With deltaLink empty it starts at path (an
// initial, full round); otherwise it follows deltaLink verbatim and path is
// ignored.
func Delta[T any](ctx context.Context, c *Client, path, deltaLink string, opts ...RequestOption) *DeltaRound[T] {
	req := Request{Path: path}
	for _, o := range opts {
		o(&req)
	}
	if deltaLink != "" {
		// The link carries every query option of the first call.
		req.URL, req.Query = deltaLink, nil
	}
	return &DeltaRound[T]{ctx: ctx, c: c, first: req}
}

// DeltaLink returns the link for the next round once the iteration has run
// to completion without error, and "" before that.
func (r *DeltaRound[T]) DeltaLink() string { return r.link }

// All iterates over the round's changes. On an error it yields the error and
// stops; the round has then no DeltaLink.
func (r *DeltaRound[T]) All() iter.Seq2[DeltaItem[T], error] {
	return func(yield func(DeltaItem[T], error) bool) {
		var zero DeltaItem[T]
		for p, err := range r.c.pages(r.ctx, r.first) {
			if err != nil {
				yield(zero, err)
				return
			}
			for _, raw := range p.Value {
				it, err := decodeDeltaItem[T](raw)
				if err != nil {
					yield(zero, fmt.Errorf("graph: %s: decode delta item: %w", r.first.op(), err))
					return
				}
				if !yield(it, nil) {
					return
				}
			}
			if p.NextLink == "" {
				if p.DeltaLink == "" {
					yield(zero, fmt.Errorf("graph: %s: last page has neither nextLink nor deltaLink", r.first.op()))
					return
				}
				r.link = p.DeltaLink
			}
		}
	}
}

// deltaProbe reads the fields that say whether an entry is a removal.
type deltaProbe struct {
	ID      string `json:"id"`
	Removed *struct {
		Reason string `json:"reason"`
	} `json:"@removed"`
	Deleted json.RawMessage `json:"deleted"` // driveItem/listItem deleted facet
}

func decodeDeltaItem[T any](raw json.RawMessage) (DeltaItem[T], error) {
	var pr deltaProbe
	if err := json.Unmarshal(raw, &pr); err != nil {
		return DeltaItem[T]{}, err
	}
	it := DeltaItem[T]{ID: pr.ID}
	switch {
	case pr.Removed != nil:
		it.Removed = true
		it.Reason = pr.Removed.Reason
		if it.Reason == "" {
			it.Reason = RemovedDeleted
		}
	case len(pr.Deleted) > 0 && string(pr.Deleted) != "null":
		it.Removed, it.Reason = true, RemovedDeleted
	}
	v, err := decodeItem[T](raw)
	if err != nil {
		return DeltaItem[T]{}, err
	}
	it.Item = v
	return it, nil
}
