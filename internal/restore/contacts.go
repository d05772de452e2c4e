package restore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
)

// contactFolders are the containers of a contacts snapshot, with paths
// such as "Contacts" and "Contacts/Clients".
var contactFolders = containerKind[dataguard.ContactFolderRef, dataguard.ContactRef]{
	name: "folder", containers: (*dataguard.View).ContactFolders, items: (*dataguard.View).Contacts,
	ref:       func(f dataguard.ContactFolderRef) (string, string) { return f.ID, f.Path },
	itemID:    func(c dataguard.ContactRef) string { return c.ID },
	keepEmpty: true,
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
// ItemWorkers at a time (see restoreItems).
func restoreContacts(ctx context.Context, j *job) error {
	cr := &contactRestorer{job: j, user: j.sum.TargetID, byID: contactFolders.byID(j.v)}
	dest, err := cr.ensure(ctx, &contactFolderNode{}, j.dest) // the default folder has id ""
	if err != nil {
		return fmt.Errorf("destination folder %q: %w", strings.Join(j.dest, "/"), err)
	}
	cr.dest = dest
	return restoreItems(ctx, j, contactFolders, contactFolders.folderSelection(j), cr)
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
	byID map[string]dataguard.ContactFolderRef // the snapshot's folders
	dest *contactFolderNode                    // the destination folder
}

// target finds or creates the folder of a snapshot folder below the
// destination.
func (cr *contactRestorer) target(ctx context.Context, f dataguard.ContactFolderRef) (*contactFolderNode, error) {
	return cr.ensure(ctx, cr.dest, contactFolderNames(f, cr.byID))
}

// delete deletes a contact of the target.
func (cr *contactRestorer) delete(ctx context.Context, id string) error {
	return cr.job.c.DeleteContact(ctx, cr.user, id)
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
func (cr *contactRestorer) loadIndex(ctx context.Context, n *contactFolderNode) error {
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

// restore restores one contact into the folder node, or counts it in a
// dry run.
func (cr *contactRestorer) restore(ctx context.Context, node *contactFolderNode, f dataguard.ContactFolderRef, c dataguard.ContactRef) {
	j := cr.job
	ref := j.ref(c.ID, f.Path)
	raw, meta, err := readStored[contactMeta](ctx, j.v, c.JSON)
	if err != nil {
		j.fail(ctx, ref, err)
		return
	}
	ref.Path = f.Path + "/" + meta.DisplayName
	existing := node.lookup(j.req.Target.Original(), c.ID, meta)
	action := j.collision(existing)
	if action == ActionSkipped || j.req.DryRun {
		j.done(ref, action, 0)
		return
	}
	body := buildContact(raw)
	var create itemCreate
	err = retry(ctx, func(int) error {
		return create.do(ctx, "contact", func(ctx context.Context) (string, error) {
			return cr.findCreated(ctx, node, meta, existing)
		}, func(ctx context.Context) (string, error) {
			ct, err := j.c.CreateContact(ctx, cr.user, node.id, body)
			if err != nil {
				return "", err
			}
			return ct.ID, nil
		})
	})
	if err == nil && action == ActionReplaced {
		err = replace(ctx, "contact", existing, cr.delete)
	}
	if err != nil {
		j.fail(ctx, ref, err)
		return
	}
	j.done(ref, action, 0)
}

// findCreated looks in the target folder for a contact a failed create may
// have made: one with the collision key that was not there before.
func (cr *contactRestorer) findCreated(ctx context.Context, node *contactFolderNode, meta contactMeta, before []string) (string, error) {
	want := meta.key()
	return firstNew(cr.job.c.FolderContacts(ctx, cr.user, node.id, &graph.ListOptions{Select: contactIndexSelect, Top: 1000}),
		func(c graph.Contact) string { return c.ID },
		func(c graph.Contact) bool { return contactKey(c.DisplayName, c.EmailAddresses) == want }, before)
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
