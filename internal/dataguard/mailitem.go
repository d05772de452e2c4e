package dataguard

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
)

// errIndexMissing means a folder the previous snapshot has came without its
// index; the folder is then enumerated in full.
var errIndexMissing = errors.New("folder index missing")

// load reads the folder's index from the previous snapshot, once. In a
// full round a missing index is rebuilt from the folder's directory, with
// empty marks, so that the round can reconcile it; otherwise a missing
// index of a non-empty folder returns errIndexMissing.
func (j *folderJob) load(ctx context.Context, full bool) error {
	j.idx.mu.Lock()
	defer j.idx.mu.Unlock()
	if j.idx.loaded {
		return nil
	}
	old := map[string]mailMark{}
	if j.prev != nil {
		rr := j.rr
		m, ok, err := loadIndex[mailMark](ctx, rr.r, rr.prevID, mailIndexPath(j.f.ID))
		if err != nil {
			return err
		}
		switch {
		case ok:
			old = m
		case j.prev.Items > 0 && !full:
			return errIndexMissing
		case j.prev.Items > 0:
			if old, err = j.scanDir(ctx); err != nil {
				return err
			}
		}
	}
	j.idx.set(old)
	return nil
}

// scanDir lists the messages the previous snapshot stores for the folder.
func (j *folderJob) scanDir(ctx context.Context) (map[string]mailMark, error) {
	ents, err := j.rr.r.ReadDir(ctx, j.rr.prevID, MailFolderDir(j.f.ID))
	if err != nil {
		return nil, err
	}
	out := map[string]mailMark{}
	for _, e := range ents {
		if name, ok := strings.CutSuffix(e.Name, emlExt); ok {
			if id, err := url.PathUnescape(name); err == nil {
				out[id] = mailMark{}
			}
		}
	}
	return out, nil
}

// apply stores or removes one message. Item failures are recorded and
// return nil; only cancellation and repository failures are returned.
func (j *folderJob) apply(ctx context.Context, it graph.DeltaItem[graph.Message]) error {
	if it.Removed {
		j.rr.itemOK(j.f.ID, it.ID)
		return j.remove(ctx, it.ID)
	}
	return j.rr.itemResult(ctx, j.f.ID, it.ID, j.store(ctx, it.ID, &it.Item))
}

// store writes a new or changed message. Its MIME is downloaded only when
// it is new, or when something that appears in the MIME changed: a
// changeKey change whose fingerprint (mimeFingerprint) is unchanged is a
// change of read state, flag, categories or folder, and only the JSON is
// written. Drafts are always downloaded again, since their content and
// attachments can change without any property we fingerprint.
func (j *folderJob) store(ctx context.Context, id string, m *graph.Message) error {
	rr := j.rr
	fp, err := mimeFingerprint(m.Raw)
	if err != nil {
		return err
	}
	old, had := j.idx.get(id)
	if had && m.ChangeKey != "" && old.CK == m.ChangeKey {
		return nil // reported again, unchanged
	}
	emlPath, jsonPath := MessagePaths(j.f.ID, id)
	change, n := ChangeMetadata, int64(0)
	moved := false
	if !had && !m.IsDraft {
		if moved, err = j.carryMoved(ctx, id, fp, m, emlPath); err != nil {
			return err
		}
	}
	if !moved && (!had || old.FP != fp || m.IsDraft) {
		body, err := rr.c.MessageMIME(ctx, rr.res.ID, id)
		if err != nil {
			return err
		}
		if n, err = rr.writeContent(ctx, emlPath, body, timeOr(m.ReceivedDateTime, m.CreatedDateTime, rr.opts.Now())); err != nil {
			return err
		}
		change = ChangeContent
	}
	if err := rr.w.WriteFile(ctx, jsonPath, bytes.NewReader(m.Raw), timeOr(m.LastModifiedDateTime, m.ReceivedDateTime, rr.opts.Now())); err != nil {
		return repoError{err}
	}
	j.idx.put(id, mailMark{CK: m.ChangeKey, FP: fp})
	if !had {
		change = ChangeNew
	}
	rr.itemDone(j.f.ID, id, change, n)
	return nil
}

// carryMoved reuses the stored MIME of a message that moved here from
// another folder: with immutable ids it keeps its id, and if its
// fingerprint is unchanged so is its MIME. Only messages created before
// the previous run are looked up, so that new mail, the common case, does
// not make the run read every folder's index.
func (j *folderJob) carryMoved(ctx context.Context, id, fp string, m *graph.Message, emlPath string) (bool, error) {
	rr := j.rr
	if rr.prev == nil || m.CreatedDateTime.IsZero() || !m.CreatedDateTime.Before(rr.prev.Time) {
		return false, nil
	}
	locs, err := j.mb.previous(ctx)
	if err != nil {
		return false, repoError{err}
	}
	loc, ok := locs[id]
	if !ok || loc.folder == j.f.ID || loc.fp != fp {
		return false, nil
	}
	from, _ := MessagePaths(loc.folder, id)
	ok, err = rr.w.CarryOverFrom(ctx, from, emlPath)
	if err != nil {
		return false, repoError{err}
	}
	return ok, nil
}

// remove drops a message from the snapshot, if it has it.
func (j *folderJob) remove(ctx context.Context, id string) error {
	if !j.idx.drop(id) {
		return nil
	}
	emlPath, jsonPath := MessagePaths(j.f.ID, id)
	return j.rr.removeItem(ctx, j.f.ID, id, emlPath, jsonPath)
}

// metadataOnly are the message properties that do not appear in its MIME:
// Outlook keeps read state, flags, categories and the folder beside the
// message, and the rest are change-tracking fields. A change confined to
// them needs a new .json but not a new .eml. Everything else (subject,
// recipients, importance, bodyPreview, dates, ...) is fingerprinted.
var metadataOnly = []string{
	"@odata.etag", "@odata.type", "@odata.context", "id", "changeKey", "lastModifiedDateTime",
	"isRead", "flag", "categories", "inferenceClassification", "parentFolderId", "webLink",
}

// mimeFingerprint hashes a message's JSON without the metadataOnly
// properties. Keys are sorted by encoding/json, so the hash does not
// depend on the order Graph sends them in.
func mimeFingerprint(raw json.RawMessage) (string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", err
	}
	for _, k := range metadataOnly {
		delete(m, k)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	return hashBytes(b), nil
}

// hashBytes is a short hex SHA-256 of b, for change detection.
func hashBytes(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:12])
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// timeOr returns the first non-zero time.
func timeOr(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
