package restore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
)

// mailFolders are the containers of a mail snapshot.
var mailFolders = containerKind[dataguard.MailFolderRef, dataguard.MessageRef]{
	name: "folder", containers: (*dataguard.View).MailFolders, items: (*dataguard.View).Messages,
	ref:       func(f dataguard.MailFolderRef) (string, string) { return f.ID, f.Path },
	itemID:    func(m dataguard.MessageRef) string { return m.ID },
	keepEmpty: true, // a selected folder is recreated, empty or not
}

// restoreMail restores a mailbox snapshot: the selected folders are found
// or created by name under the destination, in path order, and their
// messages are restored ItemWorkers at a time (see restoreItems).
func restoreMail(ctx context.Context, j *job) error {
	mr := &mailRestorer{job: j, user: j.sum.TargetID, byID: mailFolders.byID(j.v)}
	dest, err := mr.ensure(ctx, &mailFolderNode{}, j.dest) // the top of the mailbox
	if err != nil {
		return fmt.Errorf("destination folder %q: %w", strings.Join(j.dest, "/"), err)
	}
	mr.dest = dest
	return restoreItems(ctx, j, mailFolders, mailFolders.folderSelection(j), mr)
}

// folderNames is the chain of display names from the mailbox root to f.
func folderNames(f dataguard.MailFolderRef, byID map[string]dataguard.MailFolderRef) []string {
	var names []string
	seen := map[string]bool{}
	for cur, ok := f, true; ok && !seen[cur.ID]; cur, ok = byID[cur.ParentID] {
		seen[cur.ID] = true
		names = append(names, cur.Name)
	}
	for i, k := 0, len(names)-1; i < k; i, k = i+1, k-1 {
		names[i], names[k] = names[k], names[i]
	}
	return names
}

// mailRestorer restores the messages of one mailbox snapshot.
type mailRestorer struct {
	job  *job
	user string                             // target user id
	byID map[string]dataguard.MailFolderRef // the snapshot's folders
	dest *mailFolderNode                    // the destination folder
}

// target finds or creates the folder of a snapshot folder below the
// destination.
func (mr *mailRestorer) target(ctx context.Context, f dataguard.MailFolderRef) (*mailFolderNode, error) {
	return mr.ensure(ctx, mr.dest, folderNames(f, mr.byID))
}

// delete deletes a message of the target.
func (mr *mailRestorer) delete(ctx context.Context, id string) error {
	return mr.job.c.DeleteMessage(ctx, mr.user, id)
}

// mailFolderNode is a folder of the target mailbox, found or created.
// virtual marks a folder a dry run would create: it has no id and holds
// nothing.
type mailFolderNode struct {
	name     string
	id       string // "" for the top of the mailbox
	virtual  bool
	fresh    bool                       // created by this run: empty, nothing to list
	children map[string]*mailFolderNode // by lower-case name; nil until listed
	index    *messageIndex
}

// ensure finds or creates the folder path names below n. It is called from
// one goroutine only.
func (mr *mailRestorer) ensure(ctx context.Context, n *mailFolderNode, names []string) (*mailFolderNode, error) {
	for _, name := range names {
		child, err := mr.child(ctx, n, name)
		if err != nil {
			return nil, err
		}
		n = child
	}
	return n, nil
}

func (mr *mailRestorer) child(ctx context.Context, n *mailFolderNode, name string) (*mailFolderNode, error) {
	key := strings.ToLower(name)
	if n.children == nil {
		if err := mr.listChildren(ctx, n, false); err != nil {
			return nil, err
		}
	}
	if c, ok := n.children[key]; ok {
		return c, nil
	}
	c := &mailFolderNode{name: name, children: map[string]*mailFolderNode{}, index: &messageIndex{}}
	if mr.job.req.DryRun || n.virtual {
		c.virtual = true
	} else {
		// Repeating a create is harmless: a second one answers 409, and
		// the folder is then looked up by name.
		var f *graph.MailFolder
		err := retry(ctx, func(int) error {
			var err error
			f, err = mr.job.c.CreateMailFolder(graph.RetrySafe(ctx), mr.user, n.id, name)
			return err
		})
		if errors.Is(err, graph.ErrConflict) {
			// Created meanwhile, or hidden: list again, hidden included.
			if lerr := mr.listChildren(ctx, n, true); lerr != nil {
				return nil, lerr
			}
			if c, ok := n.children[key]; ok {
				// Not there when listed a moment ago: most likely made by
				// the create whose answer was lost.
				mr.job.folderCreated()
				return c, nil
			}
		}
		if err != nil {
			return nil, fmt.Errorf("create folder %q: %w", name, err)
		}
		c.id, c.fresh = f.ID, true
	}
	mr.job.folderCreated()
	n.children[key] = c
	return c, nil
}

func (mr *mailRestorer) listChildren(ctx context.Context, n *mailFolderNode, hidden bool) error {
	n.children = map[string]*mailFolderNode{}
	if n.virtual || n.fresh && !hidden {
		return nil
	}
	seq := mr.job.c.MailFolders(ctx, mr.user, hidden)
	if n.id != "" {
		seq = mr.job.c.ChildFolders(ctx, mr.user, n.id, hidden)
	}
	for f, err := range seq {
		if err != nil {
			return fmt.Errorf("list folders: %w", err)
		}
		n.children[strings.ToLower(f.DisplayName)] = &mailFolderNode{name: f.DisplayName, id: f.ID}
	}
	return nil
}

// messageIndex holds the messages of a target folder by their collision
// keys.
type messageIndex struct {
	mu     sync.Mutex
	loaded bool
	byID   map[string][]string // internetMessageId → message ids
	byKey  map[string][]string // subject + sentDateTime → message ids
}

// indexSelect are the properties a collision check needs.
var indexSelect = []string{"id", "internetMessageId", "subject", "sentDateTime"}

// loadIndex lists the folder's messages once (nothing for a folder that
// was just created).
func (mr *mailRestorer) loadIndex(ctx context.Context, n *mailFolderNode) error {
	if n.index == nil {
		n.index = &messageIndex{}
	}
	ix := n.index
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.loaded {
		return nil
	}
	ix.byID, ix.byKey = map[string][]string{}, map[string][]string{}
	if n.virtual || n.fresh || n.id == "" {
		ix.loaded = true
		return nil
	}
	for m, err := range mr.job.c.FolderMessages(ctx, mr.user, n.id, &graph.ListOptions{Select: indexSelect, Top: 1000}) {
		if err != nil {
			return fmt.Errorf("list messages: %w", err)
		}
		ix.addLocked(m.ID, m.InternetMessageID, m.Subject, m.SentDateTime)
	}
	ix.loaded = true
	return nil
}

func altKey(subject string, sent time.Time) string {
	return subject + "\x00" + sent.UTC().Truncate(time.Second).Format(time.RFC3339)
}

func (ix *messageIndex) addLocked(id, msgID, subject string, sent time.Time) {
	if msgID = strings.TrimSpace(msgID); msgID != "" {
		ix.byID[msgID] = append(ix.byID[msgID], id)
	}
	k := altKey(subject, sent)
	ix.byKey[k] = append(ix.byKey[k], id)
}

// lookup returns the ids of the messages that collide with one with these
// properties: by internetMessageId when it has one, otherwise by subject
// and sent time. (A message restored without internetMessageId may be
// given one by Exchange, so its key is the subject and time.)
func (ix *messageIndex) lookup(msgID, subject string, sent time.Time) []string {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if msgID = strings.TrimSpace(msgID); msgID != "" {
		return append([]string(nil), ix.byID[msgID]...)
	}
	return append([]string(nil), ix.byKey[altKey(subject, sent)]...)
}
