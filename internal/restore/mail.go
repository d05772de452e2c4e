package restore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
)

// mailPaths lists a mail snapshot's folder paths.
func mailPaths(_ context.Context, v *dataguard.View) ([]string, error) {
	var out []string
	for _, f := range v.MailFolders() {
		out = append(out, f.Path)
	}
	return out, nil
}

// mailIDs lists a mail snapshot's folder and message ids.
func mailIDs(ctx context.Context, v *dataguard.View) (map[string]bool, error) {
	out := map[string]bool{}
	for _, f := range v.MailFolders() {
		out[f.ID] = true
		msgs, err := v.Messages(ctx, f.ID)
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			out[m.ID] = true
		}
	}
	return out, nil
}

// restoreMail restores a mailbox snapshot: the selected folders are found
// or created by name under the destination, in path order, and their
// messages are restored ItemWorkers at a time. Folders are prepared by one
// goroutine while earlier folders' messages are being restored.
func restoreMail(ctx context.Context, j *job) error {
	folders := j.v.MailFolders()
	byID := make(map[string]dataguard.MailFolderRef, len(folders))
	for _, f := range folders {
		byID[f.ID] = f
	}
	mr := &mailRestorer{job: j, user: j.sum.TargetID}
	root := &mailFolderNode{name: "", id: ""} // the top of the mailbox
	dest, err := mr.ensure(ctx, root, j.dest)
	if err != nil {
		return fmt.Errorf("destination folder %q: %w", strings.Join(j.dest, "/"), err)
	}
	// A folder selected by id brings its messages and subfolders.
	var folderPaths []string
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
		msgs, err := j.v.Messages(gctx, f.ID)
		if err != nil {
			j.fail(ctx, j.ref(f.ID, f.Path), err)
			continue
		}
		var sel []dataguard.MessageRef
		for _, m := range msgs {
			if selected(m.ID, f.Path) {
				sel = append(sel, m)
			}
		}
		// A folder is recreated when it holds selected messages, or when
		// it is selected itself (by path or id), empty or not.
		if len(sel) == 0 && !selected(f.ID, f.Path) {
			continue
		}
		j.selected(len(sel))
		node, err := mr.ensure(gctx, dest, folderNames(f, byID))
		if err == nil && len(sel) > 0 {
			err = node.loadIndex(gctx, mr)
		}
		if err != nil {
			for _, m := range sel {
				j.fail(ctx, j.ref(m.ID, f.Path), fmt.Errorf("folder %q: %w", f.Path, err))
			}
			continue
		}
		for _, m := range sel {
			g.Go(func() error {
				mr.restoreMessage(gctx, node, f, m)
				return nil
			})
		}
	}
	return g.Wait()
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
	user string // target user id
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
func (n *mailFolderNode) loadIndex(ctx context.Context, mr *mailRestorer) error {
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
