package restore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
)

// contactPaths lists a contacts snapshot's folder paths ("Contacts",
// "Contacts/Clients").
func contactPaths(_ context.Context, v *dataguard.View) ([]string, error) {
	var out []string
	for _, f := range v.ContactFolders() {
		out = append(out, f.Path)
	}
	return out, nil
}

// contactIDs lists a contacts snapshot's folder and contact ids.
func contactIDs(ctx context.Context, v *dataguard.View) (map[string]bool, error) {
	out := map[string]bool{}
	for _, f := range v.ContactFolders() {
		out[f.ID] = true
		cs, err := v.Contacts(ctx, f.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			out[c.ID] = true
		}
	}
	return out, nil
}

// contactsDest is the folder path below the target's default Contacts
// folder that a contacts snapshot is recreated under: Request.Folder, by
// default none, for another user too (the default folder's contacts go
// to the default folder, "Contacts/Clients" to the folder Clients in it).
func contactsDest(req Request, _ *dataguard.View) []string { return splitPath(req.Folder) }

// contactProps are the writable contact properties (contact resource,
// user-post-contacts) a create request carries as they were backed up.
// photo is not backed up; the rest (ids, changeKey, parentFolderId,
// timestamps) are read-only.
var contactProps = []string{"givenName", "middleName", "surname", "nickName", "title", "initials", "generation",
	"displayName", "fileAs", "yomiGivenName", "yomiSurname", "yomiCompanyName", "emailAddresses", "imAddresses",
	"businessPhones", "homePhones", "mobilePhone", "companyName", "jobTitle", "department", "officeLocation",
	"profession", "manager", "assistantName", "spouseName", "children", "birthday", "personalNotes", "categories",
	"businessHomePage", "businessAddress", "homeAddress", "otherAddress"}

// contactMeta are the stored contact properties the restore itself reads.
type contactMeta struct {
	DisplayName    string               `json:"displayName"`
	EmailAddresses []graph.EmailAddress `json:"emailAddresses"`
}

func (m contactMeta) key() string { return contactKey(m.DisplayName, m.EmailAddresses) }

// contactKey is a contact's collision key: its display name and first
// e-mail address, case-insensitively.
func contactKey(name string, emails []graph.EmailAddress) string {
	first := ""
	if len(emails) > 0 {
		first = emails[0].Address
	}
	return strings.ToLower(strings.TrimSpace(name)) + "\x00" + strings.ToLower(strings.TrimSpace(first))
}

// restoreContacts restores a contacts snapshot: folders are found or
// created by name below the target's default Contacts folder (and
// Request.Folder), in path order, and their contacts restored
// ItemWorkers at a time.
func restoreContacts(ctx context.Context, j *job) error {
	folders := j.v.ContactFolders()
	byID := make(map[string]dataguard.ContactFolderRef, len(folders))
	for _, f := range folders {
		byID[f.ID] = f
	}
	cr := &contactRestorer{job: j, user: j.sum.TargetID}
	dest, err := cr.ensure(ctx, &contactFolderNode{}, j.dest) // the default folder has id ""
	if err != nil {
		return fmt.Errorf("destination folder %q: %w", strings.Join(j.dest, "/"), err)
	}
	var folderPaths []string // folders selected by id bring their contacts and sub-folders
	for _, id := range j.req.Items {
		if f, ok := byID[id]; ok {
			folderPaths = append(folderPaths, f.Path)
		}
	}
	selected := func(id, path string) bool {
		if slices.ContainsFunc(folderPaths, func(p string) bool { return pathHasPrefix(path, p) }) {
			return j.selectPath(path)
		}
		return j.selectItem(id, path)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(j.req.ItemWorkers)
	for _, f := range folders {
		if gctx.Err() != nil {
			break
		}
		cs, err := j.v.Contacts(gctx, f.ID)
		if err != nil {
			j.fail(ctx, j.ref(f.ID, f.Path), err)
			continue
		}
		var sel []dataguard.ContactRef
		for _, c := range cs {
			if selected(c.ID, f.Path) {
				sel = append(sel, c)
			}
		}
		if len(sel) == 0 && !selected(f.ID, f.Path) {
			continue
		}
		j.selected(len(sel))
		node, err := cr.ensure(gctx, dest, contactFolderNames(f, byID))
		if err == nil && len(sel) > 0 {
			err = node.loadIndex(gctx, cr)
		}
		if err != nil {
			for _, c := range sel {
				j.fail(ctx, j.ref(c.ID, f.Path), fmt.Errorf("folder %q: %w", f.Path, err))
			}
			continue
		}
		for _, c := range sel {
			g.Go(func() error {
				cr.restoreContact(gctx, node, f, c)
				return nil
			})
		}
	}
	return g.Wait()
}

// contactFolderNames is the chain of names from below the default Contacts
// folder to f (none for the default folder itself).
func contactFolderNames(f dataguard.ContactFolderRef, byID map[string]dataguard.ContactFolderRef) []string {
	var names []string
	seen := map[string]bool{}
	for cur, ok := f, true; ok && !cur.Default && !seen[cur.ID]; cur, ok = byID[cur.ParentID] {
		seen[cur.ID] = true
		names = append(names, cur.Name)
	}
	slices.Reverse(names)
	return names
}

// contactRestorer restores the contacts of one snapshot.
type contactRestorer struct {
	job  *job
	user string
}

// contactFolderNode is a contact folder of the target, found or created.
// The default Contacts folder has id "" (Graph's /contacts and
// /contactFolders address it); virtual marks a folder a dry run would
// create.
type contactFolderNode struct {
	id       string
	virtual  bool
	fresh    bool
	children map[string]*contactFolderNode // by lower-case name; nil until listed

	mu     sync.Mutex
	loaded bool
	byID   map[string][]string
	byKey  map[string][]string
}

// ensure finds or creates the folder path names below n; it is called from
// one goroutine only.
func (cr *contactRestorer) ensure(ctx context.Context, n *contactFolderNode, names []string) (*contactFolderNode, error) {
	for _, name := range names {
		c, err := cr.child(ctx, n, name)
		if err != nil {
			return nil, err
		}
		n = c
	}
	return n, nil
}

func (cr *contactRestorer) child(ctx context.Context, n *contactFolderNode, name string) (*contactFolderNode, error) {
	key := strings.ToLower(name)
	if n.children == nil {
		if err := cr.listChildren(ctx, n); err != nil {
			return nil, err
		}
	}
	if c, ok := n.children[key]; ok {
		return c, nil
	}
	c := &contactFolderNode{virtual: true, children: map[string]*contactFolderNode{}}
	if !cr.job.req.DryRun && !n.virtual {
		var f *graph.ContactFolder
		err := retry(ctx, func(int) error {
			var err error
			f, err = cr.job.c.CreateContactFolder(graph.RetrySafe(ctx), cr.user, n.id, name)
			return err
		})
		if errors.Is(err, graph.ErrConflict) {
			if lerr := cr.listChildren(ctx, n); lerr != nil {
				return nil, lerr
			}
			if c, ok := n.children[key]; ok {
				cr.job.folderCreated() // most likely made by the create whose answer was lost
				return c, nil
			}
		}
		if err != nil {
			return nil, fmt.Errorf("create contact folder %q: %w", name, err)
		}
		c = &contactFolderNode{id: f.ID, fresh: true, children: map[string]*contactFolderNode{}}
	}
	cr.job.folderCreated()
	n.children[key] = c
	return c, nil
}

func (cr *contactRestorer) listChildren(ctx context.Context, n *contactFolderNode) error {
	n.children = map[string]*contactFolderNode{}
	if n.virtual {
		return nil
	}
	seq := cr.job.c.ContactFolders(ctx, cr.user)
	if n.id != "" {
		seq = cr.job.c.ContactChildFolders(ctx, cr.user, n.id)
	}
	for f, err := range seq {
		if err != nil {
			return fmt.Errorf("list contact folders: %w", err)
		}
		n.children[strings.ToLower(f.DisplayName)] = &contactFolderNode{id: f.ID}
	}
	return nil
}

// contactIndexSelect are the properties a collision check needs.
var contactIndexSelect = []string{"id", "displayName", "emailAddresses"}

// loadIndex lists the folder's contacts once.
func (n *contactFolderNode) loadIndex(ctx context.Context, cr *contactRestorer) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.loaded {
		return nil
	}
	n.byID, n.byKey = map[string][]string{}, map[string][]string{}
	if !n.virtual && !n.fresh {
		for c, err := range cr.job.c.FolderContacts(ctx, cr.user, n.id, &graph.ListOptions{Select: contactIndexSelect, Top: 1000}) {
			if err != nil {
				return fmt.Errorf("list contacts: %w", err)
			}
			n.byID[c.ID] = append(n.byID[c.ID], c.ID)
			k := contactKey(c.DisplayName, c.EmailAddresses)
			n.byKey[k] = append(n.byKey[k], c.ID)
		}
	}
	n.loaded = true
	return nil
}

// lookup returns the contacts that collide with one: to the original user,
// the contact under its own id if it is still in the folder; otherwise
// (and to another user) those with the same display name and first
// e-mail address.
func (n *contactFolderNode) lookup(original bool, id string, m contactMeta) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if original {
		if ids := n.byID[id]; len(ids) > 0 {
			return append([]string(nil), ids...)
		}
	}
	return append([]string(nil), n.byKey[m.key()]...)
}

// restoreContact restores one contact into the folder node, or counts it
// in a dry run.
func (cr *contactRestorer) restoreContact(ctx context.Context, node *contactFolderNode, f dataguard.ContactFolderRef, c dataguard.ContactRef) {
	j := cr.job
	ref := j.ref(c.ID, f.Path)
	var raw map[string]json.RawMessage
	if err := j.v.ReadJSON(ctx, c.JSON, &raw); err != nil {
		j.fail(ctx, ref, fmt.Errorf("read stored properties: %w", err))
		return
	}
	var meta contactMeta
	b, _ := json.Marshal(raw)
	if err := json.Unmarshal(b, &meta); err != nil {
		j.fail(ctx, ref, fmt.Errorf("decode stored properties: %w", err))
		return
	}
	ref.Path = f.Path + "/" + meta.DisplayName
	existing := node.lookup(j.req.Target.Original(), c.ID, meta)
	action := ActionCreated
	if len(existing) > 0 {
		switch j.req.Collision {
		case CollisionSkip:
			j.done(ref, ActionSkipped, 0)
			return
		case CollisionCopy:
			action = ActionCopied
		case CollisionReplace:
			action = ActionReplaced
		}
	}
	if j.req.DryRun {
		j.done(ref, action, 0)
		return
	}
	body := buildContact(raw)
	var id string
	ambiguous := false
	err := retry(ctx, func(int) error {
		if ambiguous {
			// The last create may have worked: look before creating again.
			found, err := cr.findCreated(ctx, node, meta, existing)
			if err != nil {
				return fmt.Errorf("check for the contact after a failed create: %w", err)
			}
			ambiguous = false
			if id = found; id != "" {
				return nil
			}
		}
		ct, err := j.c.CreateContact(ctx, cr.user, node.id, body)
		if err != nil {
			ambiguous = maybeApplied(err)
			return fmt.Errorf("create contact: %w", err)
		}
		id = ct.ID
		return nil
	})
	if err != nil {
		j.fail(ctx, ref, err)
		return
	}
	if action == ActionReplaced {
		for _, old := range existing {
			err := retry(ctx, func(int) error { return j.c.DeleteContact(ctx, cr.user, old) })
			if err != nil && !graph.IsNotFound(err) {
				j.fail(ctx, ref, fmt.Errorf("restored, but the contact it replaces (%s) was not deleted: %w", old, err))
				return
			}
		}
	}
	j.done(ref, action, 0)
}

// findCreated looks in the target folder for a contact a failed create may
// have made: one with the collision key that was not there before.
func (cr *contactRestorer) findCreated(ctx context.Context, node *contactFolderNode, meta contactMeta, before []string) (string, error) {
	want := meta.key()
	for c, err := range cr.job.c.FolderContacts(ctx, cr.user, node.id, &graph.ListOptions{Select: contactIndexSelect, Top: 1000}) {
		if err != nil {
			return "", err
		}
		if contactKey(c.DisplayName, c.EmailAddresses) == want && !contains(before, c.ID) {
			return c.ID, nil
		}
	}
	return "", nil
}

// buildContact is the create request of a contact: its backed-up writable
// properties.
func buildContact(raw map[string]json.RawMessage) map[string]any {
	out := map[string]any{}
	for _, k := range contactProps {
		if v, ok := raw[k]; ok && string(v) != "null" {
			out[k] = v
		}
	}
	return out
}
