package restore

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"time"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
)

// readStored reads an item's stored Graph JSON (message sidecar, contact,
// event) as raw properties, and the properties M the restore itself reads.
func readStored[M any](ctx context.Context, v *dataguard.View, p string) (map[string]json.RawMessage, M, error) {
	var raw map[string]json.RawMessage
	var meta M
	if err := v.ReadJSON(ctx, p, &raw); err != nil {
		return nil, meta, fmt.Errorf("read stored properties: %w", err)
	}
	b, _ := json.Marshal(raw)
	if err := json.Unmarshal(b, &meta); err != nil {
		return nil, meta, fmt.Errorf("decode stored properties: %w", err)
	}
	return raw, meta, nil
}

// collision is what the request's Collision mode does with an item whose
// target holds the existing items: ActionCreated when there are none,
// otherwise ActionSkipped, ActionCopied or ActionReplaced.
func (j *job) collision(existing []string) Action {
	if len(existing) > 0 {
		switch j.req.Collision {
		case CollisionSkip:
			return ActionSkipped
		case CollisionCopy:
			return ActionCopied
		case CollisionReplace:
			return ActionReplaced
		}
	}
	return ActionCreated
}

// itemCreate is the create of one item across the attempts of retry. A
// create that failed in a way that may have worked (maybeApplied) is not
// simply repeated: the next attempt first looks for the item, and creates
// it only if it is not there.
type itemCreate struct {
	id        string // the created item; "" until created or found
	ambiguous bool   // the last create may have created it
}

// do creates the item unless an earlier attempt did. find looks in the
// target for the item a failed create may have made ("" if none); create
// creates it. what names the item in errors ("message").
func (c *itemCreate) do(ctx context.Context, what string, find, create func(ctx context.Context) (string, error)) error {
	if c.id == "" && c.ambiguous {
		id, err := find(ctx)
		if err != nil {
			return fmt.Errorf("check for the %s after a failed create: %w", what, err)
		}
		c.id, c.ambiguous = id, false
	}
	if c.id == "" {
		id, err := create(ctx)
		if err != nil {
			c.ambiguous = maybeApplied(err)
			return fmt.Errorf("create %s: %w", what, err)
		}
		c.id = id
	}
	return nil
}

// deleteFunc deletes a target item by id.
type deleteFunc func(ctx context.Context, id string) error

// discard deletes an item whose restore failed half way (attachments or
// exceptions missing), so that it does not look restored to the next run.
// It runs even when ctx is cancelled; nothing happens when id is "".
func discard(ctx context.Context, id string, del deleteFunc) {
	if id == "" {
		return
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	_ = del(dctx, id)
}

// replace deletes the existing items a restored one replaces, retried;
// items already gone do not matter. what names the item in errors.
func replace(ctx context.Context, what string, existing []string, del deleteFunc) error {
	for _, old := range existing {
		err := retry(ctx, func(int) error { return del(ctx, old) })
		if err != nil && !graph.IsNotFound(err) {
			return fmt.Errorf("restored, but the %s it replaces (%s) was not deleted: %w", what, old, err)
		}
	}
	return nil
}

// firstNew returns the id of the first listed item that matches and is not
// among before: the one a create whose answer was lost made ("" if none).
func firstNew[T any](seq iter.Seq2[T, error], id func(T) string, match func(T) bool, before []string) (string, error) {
	for it, err := range seq {
		if err != nil {
			return "", err
		}
		if match(it) && !contains(before, id(it)) {
			return id(it), nil
		}
	}
	return "", nil
}
