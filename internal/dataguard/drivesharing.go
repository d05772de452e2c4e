package dataguard

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
)

// Sharing permissions of drive items. They are listed only for items the
// delta gives a shared facet (with Prefer: hierarchicalsharing, the items
// with sharing of their own, and an empty facet where it was removed) or
// marks with @microsoft.graph.sharedChanged, so a backup costs one request
// per new or changed shared item and nothing for the others. An item that
// inherits its access has no list of its own: the ancestor that carries
// the sharing has it.

// storePermissions writes or removes the item's permission sidecar and
// returns how many permissions it holds. Without the shared facet an item
// has no sharing of its own, and a stored list of earlier is removed.
// Inherited permissions are left out: a change of a folder's sharing
// marks only the folder in the delta, so copies kept on its descendants
// would go stale; the folder's own list has them, and a reader finds an
// item's inherited access on its ancestors.
func (j *driveJob) storePermissions(ctx context.Context, id string, shared, had bool, mtime time.Time) (int, error) {
	p := DriveItemPermissionsPath(id)
	if !shared {
		if had {
			if _, err := j.rr.w.Remove(ctx, p); err != nil {
				return 0, repoError{err}
			}
		}
		return 0, nil
	}
	var list []json.RawMessage
	for perm, err := range j.rr.c.Permissions(ctx, j.drive.ID, id) {
		if err != nil {
			return 0, fmt.Errorf("list sharing permissions: %w", err)
		}
		if perm.InheritedFrom != nil {
			continue // the ancestor's list holds it
		}
		raw, err := storablePermission(perm)
		if err != nil {
			return 0, fmt.Errorf("list sharing permissions: %w", err)
		}
		list = append(list, raw)
	}
	body, err := json.Marshal(struct {
		Value []json.RawMessage `json:"value"`
	}{list})
	if err != nil {
		return 0, err
	}
	if err := j.rr.w.WriteFile(ctx, p, bytesReader(body), mtime); err != nil {
		return 0, repoError{err}
	}
	return len(list), nil
}

// storablePermission is the permission's JSON as Graph gave it, without the
// bearer secrets of an anonymous link (its URL and share id): like a
// download URL, whoever holds them can open the item, and a restore cannot
// bring an old link back anyway. Which links existed, with their type,
// scope and expiry, is kept.
func storablePermission(p graph.Permission) (json.RawMessage, error) {
	if p.Link == nil || p.Link.Scope != "anonymous" {
		return p.Raw, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(p.Raw, &m); err != nil {
		return nil, err
	}
	delete(m, "shareId")
	var link map[string]json.RawMessage
	if err := json.Unmarshal(m["link"], &link); err == nil {
		delete(link, "webUrl")
		if b, err := json.Marshal(link); err == nil {
			m["link"] = b
		}
	}
	return json.Marshal(m)
}

// ReadPermissions returns the sharing permissions stored for a drive item
// (the owner's and the item's own; inherited ones are on its ancestors),
// or nil when the backup stored none (the item had no sharing of its own,
// or the snapshot predates permission backup).
func (v *View) ReadPermissions(ctx context.Context, it DriveItemRef) ([]graph.Permission, error) {
	if it.Permissions == "" {
		return nil, nil
	}
	var doc struct {
		Value []json.RawMessage `json:"value"`
	}
	if err := v.ReadJSON(ctx, it.Permissions, &doc); err != nil {
		return nil, fmt.Errorf("read sharing permissions of %s: %w", it.Path, err)
	}
	out := make([]graph.Permission, 0, len(doc.Value))
	for _, raw := range doc.Value {
		var p graph.Permission
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("read sharing permissions of %s: %w", it.Path, err)
		}
		p.Raw = raw
		out = append(out, p)
	}
	return out, nil
}
