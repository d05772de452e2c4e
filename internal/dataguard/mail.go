package dataguard

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/safeguard365/safeguard365/internal/graph"
)

// mailWorkload backs up a mailbox: one delta round per mail folder,
// FolderWorkers folders at a time.
type mailWorkload struct{}

// mailSelect is what message delta rounds ask for: every v1.0 message
// property except body and uniqueBody. The MIME, stored byte for byte,
// holds the body; Graph's HTML rendering of it would double what a
// mailbox costs to store and what a delta page costs in memory.
// bodyPreview stays, so that an edited draft still changes the fingerprint.
var mailSelect = []string{
	"bccRecipients", "bodyPreview", "categories", "ccRecipients", "changeKey", "conversationId",
	"conversationIndex", "createdDateTime", "flag", "from", "hasAttachments", "importance",
	"inferenceClassification", "internetMessageId", "isDeliveryReceiptRequested", "isDraft", "isRead",
	"isReadReceiptRequested", "lastModifiedDateTime", "parentFolderId", "receivedDateTime", "replyTo",
	"sender", "sentDateTime", "subject", "toRecipients", "webLink",
}

// mailPageSize is the delta page size (Prefer: odata.maxpagesize). Without
// bodies a message is about 2 KB of JSON, so a page is a few hundred KB
// per folder in flight.
const mailPageSize = 100

func (mailWorkload) run(ctx context.Context, rr *resourceRun) error {
	var folders []graph.MailFolder
	for f, err := range rr.c.AllMailFolders(ctx, rr.res.ID, false) {
		if graph.IsNotFound(err) {
			return fmt.Errorf("%w: no mailbox", errSkipped)
		}
		if err != nil {
			return fmt.Errorf("list mail folders: %w", err)
		}
		folders = append(folders, f)
	}
	rr.next.Folders = make(map[string]*folderState, len(folders))
	rr.containers = len(folders)

	// Folders that are gone take their messages with them.
	live := make(map[string]bool, len(folders))
	for _, f := range folders {
		live[f.ID] = true
	}
	if rr.prev != nil {
		for id, fs := range rr.prev.Folders {
			if live[id] {
				continue
			}
			if _, err := rr.w.Remove(ctx, MailFolderDir(id)); err != nil {
				return err
			}
			rr.dropFailures(id)
			rr.addCounts(Counts{Deleted: int64(fs.Items)})
		}
	}

	mbx := &mailbox{rr: rr}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(rr.opts.FolderWorkers)
	for _, f := range folders {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return newFolderJob(mbx, f).run(gctx) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// mailbox is what the folders of one mailbox share: where the previous
// snapshot keeps each message, to reuse the MIME of moved messages.
type mailbox struct {
	rr   *resourceRun
	once sync.Once
	locs map[string]prevLoc
	err  error
}

// prevLoc is where the previous snapshot stores a message.
type prevLoc struct{ folder, fp string }

// previous returns every message of the previous snapshot with its folder
// and MIME fingerprint, reading all folder indexes the first time.
func (mb *mailbox) previous(ctx context.Context) (map[string]prevLoc, error) {
	mb.once.Do(func() {
		rr := mb.rr
		locs := map[string]prevLoc{}
		for fid, fs := range rr.prev.Folders {
			if fs.Items == 0 {
				continue
			}
			m, _, err := loadIndex[mailMark](ctx, rr.r, rr.prevID, mailIndexPath(fid))
			if err != nil {
				mb.err = err
				return
			}
			for id, mk := range m {
				if mk.FP != "" {
					locs[id] = prevLoc{folder: fid, fp: mk.FP}
				}
			}
		}
		mb.locs = locs
	})
	return mb.locs, mb.err
}

// folderJob is the backup of one mail folder.
type folderJob struct {
	mb   *mailbox
	rr   *resourceRun
	f    graph.MailFolder
	prev *folderState // nil for a folder the previous snapshot does not have

	mu      sync.Mutex
	loaded  bool
	old     map[string]mailMark // the previous snapshot's index
	cur     map[string]mailMark // becomes this snapshot's index
	written map[string]bool     // ids rewritten this run
	dirty   bool
	order   ordering
	link    string // the delta link of the last completed round
}

func newFolderJob(mb *mailbox, f graph.MailFolder) *folderJob {
	rr := mb.rr
	j := &folderJob{mb: mb, rr: rr, f: f, written: map[string]bool{}}
	if rr.prev != nil {
		j.prev = rr.prev.Folders[f.ID]
	}
	return j
}

func (j *folderJob) run(ctx context.Context) error {
	rr, f := j.rr, j.f
	fs := &folderState{Name: f.DisplayName, Parent: f.ParentFolderID, Meta: hashBytes(f.Raw)}
	link := ""
	if j.prev != nil {
		link = j.prev.DeltaLink
		fs.Items = j.prev.Items
	}
	if j.prev == nil || j.prev.Meta != fs.Meta {
		if err := rr.w.WriteFile(ctx, MailFolderMetaPath(f.ID), bytesReader(f.Raw), rr.opts.Now()); err != nil {
			return err
		}
	}

	startLink := link
	err := j.round(ctx, link)
	if (graph.IsResyncRequired(err) || errors.Is(err, errIndexMissing)) && link != "" {
		// The token expired: enumerate this folder again and reconcile.
		rr.mu.Lock()
		rr.resyncs++
		rr.mu.Unlock()
		startLink = ""
		err = j.round(ctx, "")
	}
	var newLink string
	switch {
	case err == nil:
		newLink = j.link
		rr.itemOK(f.ID, "")
	case errors.As(err, new(repoError)) || ctx.Err() != nil:
		return err
	default:
		// The folder could not be listed: keep what the previous snapshot
		// has and try again next run.
		if ferr := rr.itemFailed(ctx, f.ID, "", fmt.Errorf("delta of folder %q: %w", f.DisplayName, err)); ferr != nil {
			return ferr
		}
		newLink = startLink
	}
	if rr.hasFailures(f.ID) {
		// Hold the link back, so that the next round reports the failed
		// items again (those already stored are skipped by changeKey).
		newLink = startLink
	}
	fs.DeltaLink = newLink

	if j.loaded {
		if j.dirty {
			if err := writeIndex(ctx, rr.w, mailIndexPath(f.ID), j.cur, rr.opts.Now()); err != nil {
				return err
			}
		}
		fs.Items = len(j.cur)
		rr.addCounts(setCounts(j.old, j.cur, j.written))
	} else {
		rr.addCounts(Counts{Unchanged: int64(fs.Items)})
	}
	// The folder is complete: write its directory now and free its memory.
	if err := rr.w.CloseDir(ctx, MailFolderDir(f.ID)); err != nil {
		return err
	}
	rr.maybeFlush(ctx)
	rr.mu.Lock()
	rr.next.Folders[f.ID] = fs
	rr.mu.Unlock()
	return nil
}

// setCounts compares a container's index before and after the run.
func setCounts[M any](old, cur map[string]M, written map[string]bool) Counts {
	var c Counts
	for id := range cur {
		_, had := old[id]
		switch {
		case !had:
			c.New++
		case written[id]:
			c.Changed++
		default:
			c.Unchanged++
		}
	}
	for id := range old {
		if _, ok := cur[id]; !ok {
			c.Deleted++
		}
	}
	return c
}

// round runs one delta round from link ("" for a full round) and applies
// its changes with up to itemWorkers messages in flight. A full round
// ends by removing the stored messages it did not report. j.link is set
// when the round completes.
func (j *folderJob) round(ctx context.Context, link string) error {
	rr, f := j.rr, j.f
	full := link == ""
	var seen map[string]bool
	if full {
		seen = map[string]bool{}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(itemWorkers)
	d := rr.c.MessagesDelta(gctx, rr.res.ID, f.ID, link, &graph.DeltaOptions{Select: mailSelect, PageSize: mailPageSize})
	var rerr error
	for it, err := range d.All() {
		if err == nil {
			err = gctx.Err() // a change failed: stop reading the round
		}
		if err != nil {
			rerr = err
			break
		}
		if err := j.load(gctx, full); err != nil {
			rerr = err
			break
		}
		if full && !it.Removed {
			seen[it.ID] = true
		}
		g.Go(j.order.run(gctx, it.ID, func(ctx context.Context) error { return j.apply(ctx, it) }))
	}
	if werr := g.Wait(); werr != nil {
		return werr
	}
	if rerr != nil {
		return rerr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if full {
		if err := j.load(ctx, true); err != nil {
			return err
		}
		for id := range j.cur {
			if !seen[id] {
				if err := j.remove(ctx, id); err != nil {
					return err
				}
			}
		}
	}
	j.link = d.DeltaLink()
	return nil
}
