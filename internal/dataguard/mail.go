package dataguard

import (
	"context"
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
	mbx := &mailbox{rr: rr}
	return backupContainers(ctx, rr, mailFolderSet, folders, func(f graph.MailFolder) string { return f.ID },
		func(ctx context.Context, f graph.MailFolder, prev *folderState) error {
			return (&folderJob{mb: mbx, rr: rr, f: f, prev: prev}).run(ctx)
		})
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

	idx   itemIndex[mailMark] // loaded by load
	order ordering
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
	newLink, startLink, err := rr.syncDelta(ctx, f.ID, fmt.Sprintf("delta of folder %q", f.DisplayName), link, j.round)
	if err != nil {
		return err
	}
	if rr.hasFailures(f.ID) {
		// Hold the link back, so that the next round reports the failed
		// items again (those already stored are skipped by changeKey).
		newLink = startLink
	}
	fs.DeltaLink = newLink
	if err := j.idx.finish(ctx, rr, mailIndexPath(f.ID), fs); err != nil {
		return err
	}
	return rr.closeContainer(ctx, mailFolderSet, f.ID, fs)
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
// ends by removing the stored messages it did not report. It returns the
// round's delta link once the round completes.
func (j *folderJob) round(ctx context.Context, link string) (string, error) {
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
		return "", werr
	}
	if rerr != nil {
		return "", rerr
	}
	if err := j.idx.endRound(ctx, full, seen, j.load, j.remove); err != nil {
		return "", err
	}
	return d.DeltaLink(), nil
}
