package restore

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
)

// messageProps are the sidecar properties a create request carries as they
// were backed up. The body comes from the MIME; dates, read state and the
// draft bit go in extended properties (see buildMessage). conversationId,
// conversationIndex and the change-tracking fields are read-only.
var messageProps = []string{"subject", "from", "sender", "toRecipients", "ccRecipients", "bccRecipients", "replyTo",
	"internetMessageId", "importance", "isRead", "flag", "categories", "isDeliveryReceiptRequested",
	"isReadReceiptRequested", "inferenceClassification"}

// MAPI properties that make a created message a received (or sent) one
// rather than a draft. They can only be set when the message is created.
// https://learn.microsoft.com/en-us/office/client-developer/outlook/mapi/pidtagmessageflags-canonical-property
const (
	propMessageFlags = "Integer 0x0E07"    // PidTagMessageFlags
	propSubmitTime   = "SystemTime 0x0039" // PidTagClientSubmitTime → sentDateTime
	propDeliveryTime = "SystemTime 0x0E06" // PidTagMessageDeliveryTime → receivedDateTime
	propInReplyTo    = "String 0x1042"     // PidTagInReplyToId
	propReferences   = "String 0x1039"     // PidTagInternetReferences
	msgFlagRead      = 0x1
	msgFlagUnsent    = 0x8 // set: a draft
)

// messageMeta are the sidecar properties the restore itself reads.
type messageMeta struct {
	InternetMessageID string     `json:"internetMessageId"`
	Subject           string     `json:"subject"`
	SentDateTime      *time.Time `json:"sentDateTime"`
	ReceivedDateTime  *time.Time `json:"receivedDateTime"`
	IsRead            bool       `json:"isRead"`
	IsDraft           bool       `json:"isDraft"`
}

func (m messageMeta) sent() time.Time {
	if m.SentDateTime == nil {
		return time.Time{}
	}
	return *m.SentDateTime
}

// messageState is what the attempts at restoring one message know.
type messageState struct {
	itemCreate // the message
	pm         *parsedMessage
	size       int64
	attached   map[int]bool
	attUnsure  bool // the last attachment add may have succeeded
	before     []string
}

// restore restores one message into the folder node, or counts it in a
// dry run.
func (mr *mailRestorer) restore(ctx context.Context, node *mailFolderNode, f dataguard.MailFolderRef, m dataguard.MessageRef) {
	j := mr.job
	ref := j.ref(m.ID, f.Path)
	raw, meta, err := readStored[messageMeta](ctx, j.v, m.JSON)
	if err != nil {
		j.fail(ctx, ref, err)
		return
	}
	ref.Path = f.Path + "/" + meta.Subject
	existing := node.index.lookup(meta.InternetMessageID, meta.Subject, meta.sent())
	action := j.collision(existing)
	if action == ActionSkipped {
		j.done(ref, action, 0)
		return
	}
	st := &messageState{attached: map[int]bool{}, before: existing}
	if j.req.DryRun {
		j.done(ref, action, m.Size) // the size from the snapshot's listing: no need to open the MIME
		return
	}
	if err := retry(ctx, func(int) error { return mr.attempt(ctx, node, m, raw, meta, st) }); err != nil {
		discard(ctx, st.id, mr.delete) // half a message: some attachments missing
		j.fail(ctx, ref, err)
		return
	}
	// The index keeps what was there before the run: messages restored
	// now never collide with each other (duplicates in the snapshot stay
	// duplicates).
	if action == ActionReplaced {
		if err := replace(ctx, "message", existing, mr.delete); err != nil {
			j.fail(ctx, ref, err)
			return
		}
	}
	j.done(ref, action, st.size)
}

// attempt makes one attempt at restoring a message, continuing from what
// earlier attempts did.
func (mr *mailRestorer) attempt(ctx context.Context, node *mailFolderNode, m dataguard.MessageRef,
	raw map[string]json.RawMessage, meta messageMeta, st *messageState) error {
	j := mr.job
	f, err := j.v.Open(ctx, m.EML)
	if err != nil {
		return fmt.Errorf("open stored MIME: %w", err)
	}
	defer f.Close()
	if st.pm == nil {
		st.size = m.Size
		pm, err := parseMessage(f)
		if err != nil {
			return permanent(fmt.Errorf("parse stored MIME: %w", err))
		}
		st.pm = pm
	}
	err = st.do(ctx, "message", func(ctx context.Context) (string, error) {
		return mr.findCreated(ctx, node, meta, st.before)
	}, func(ctx context.Context) (string, error) {
		msg, err := j.c.CreateMessage(ctx, mr.user, node.id, buildMessage(raw, meta, st.pm))
		if err != nil {
			return "", err
		}
		return msg.ID, nil
	})
	if err != nil {
		return err
	}
	var todo []attachment
	for _, a := range st.pm.deferred {
		if !st.attached[a.index] {
			todo = append(todo, a)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	if st.attUnsure {
		if err := mr.markAttached(ctx, st, todo); err != nil {
			return err
		}
		st.attUnsure = false
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("read stored MIME: %w", err)
	}
	return streamAttachments(f, todo, func(a attachment, body io.Reader) error {
		if st.attached[a.index] {
			return nil
		}
		if err := mr.addAttachment(ctx, st.id, a, body); err != nil {
			st.attUnsure = maybeApplied(err)
			return fmt.Errorf("attachment %q: %w", a.name, err)
		}
		st.attached[a.index] = true
		return nil
	})
}

// addAttachment adds one attachment to a created message: small ones with
// one POST, larger ones through an upload session, streamed.
func (mr *mailRestorer) addAttachment(ctx context.Context, msgID string, a attachment, body io.Reader) error {
	c := mr.job.c
	if a.size < smallAttachmentMax {
		data, err := io.ReadAll(body)
		if err != nil {
			return fmt.Errorf("read stored MIME: %w", err)
		}
		a.data = data
		_, err = c.CreateAttachment(ctx, mr.user, msgID, attachmentJSON(a))
		return err
	}
	_, err := c.UploadAttachment(ctx, mr.user, msgID, graph.AttachmentUpload{Name: a.name, ContentType: a.contentType,
		IsInline: a.inline, ContentID: a.contentID}, body, a.size)
	return err
}

// markAttached lists the message's attachments after an add whose outcome
// is unknown, and marks those already there.
func (mr *mailRestorer) markAttached(ctx context.Context, st *messageState, todo []attachment) error {
	have := map[string]int{}
	for a, err := range mr.job.c.Attachments(ctx, mr.user, st.id, &graph.ListOptions{Select: []string{"id", "name", "size"}}) {
		if err != nil {
			return fmt.Errorf("list attachments after a failed add: %w", err)
		}
		have[a.Name]++
	}
	for _, a := range todo {
		if have[a.name] > 0 {
			have[a.name]--
			st.attached[a.index] = true
		}
	}
	return nil
}

// findCreated looks in the target folder for a message a failed create
// may have made: one with the collision key that was not there before.
func (mr *mailRestorer) findCreated(ctx context.Context, node *mailFolderNode, meta messageMeta, before []string) (string, error) {
	opts := &graph.ListOptions{Select: indexSelect, Top: 1000}
	if meta.InternetMessageID != "" {
		opts.Filter = "internetMessageId eq '" + strings.ReplaceAll(meta.InternetMessageID, "'", "''") + "'"
	}
	want := altKey(meta.Subject, meta.sent())
	return firstNew(mr.job.c.FolderMessages(ctx, mr.user, node.id, opts), func(msg graph.Message) string { return msg.ID },
		func(msg graph.Message) bool {
			if meta.InternetMessageID == "" {
				return altKey(msg.Subject, msg.SentDateTime) == want
			}
			return strings.TrimSpace(msg.InternetMessageID) == strings.TrimSpace(meta.InternetMessageID)
		}, before)
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// buildMessage is the create request of a message: the backed-up
// properties, the body from the MIME, the small attachments, and the MAPI
// properties that make it a non-draft with its original dates.
func buildMessage(raw map[string]json.RawMessage, meta messageMeta, pm *parsedMessage) map[string]any {
	out := map[string]any{}
	for _, k := range messageProps {
		if v, ok := raw[k]; ok && string(v) != "null" {
			out[k] = v
		}
	}
	if pm.hasHTML || !pm.hasText {
		out["body"] = map[string]string{"contentType": "html", "content": pm.html}
	} else {
		out["body"] = map[string]string{"contentType": "text", "content": pm.text}
	}
	flags := 0
	if meta.IsRead {
		flags |= msgFlagRead
	}
	if meta.IsDraft {
		flags |= msgFlagUnsent // a backed-up draft stays a draft
	}
	props := []map[string]string{{"id": propMessageFlags, "value": strconv.Itoa(flags)}}
	if meta.SentDateTime != nil && !meta.SentDateTime.IsZero() {
		props = append(props, map[string]string{"id": propSubmitTime, "value": meta.SentDateTime.UTC().Format(time.RFC3339)})
	}
	if meta.ReceivedDateTime != nil && !meta.ReceivedDateTime.IsZero() {
		props = append(props, map[string]string{"id": propDeliveryTime, "value": meta.ReceivedDateTime.UTC().Format(time.RFC3339)})
	}
	if v := strings.TrimSpace(pm.header.Get("In-Reply-To")); v != "" {
		props = append(props, map[string]string{"id": propInReplyTo, "value": v})
	}
	if v := strings.Join(strings.Fields(pm.header.Get("References")), " "); v != "" {
		props = append(props, map[string]string{"id": propReferences, "value": v})
	}
	out["singleValueExtendedProperties"] = props
	if len(pm.inline) > 0 {
		atts := make([]map[string]any, 0, len(pm.inline))
		for _, a := range pm.inline {
			atts = append(atts, attachmentJSON(a))
		}
		out["attachments"] = atts
	}
	return out
}

// attachmentJSON is a fileAttachment with its bytes (base64 in JSON).
func attachmentJSON(a attachment) map[string]any {
	data := a.data
	if data == nil {
		data = []byte{} // "" rather than null for an empty file
	}
	m := map[string]any{"@odata.type": "#microsoft.graph.fileAttachment", "name": a.name,
		"contentType": a.contentType, "isInline": a.inline, "contentBytes": data}
	if a.contentID != "" {
		m["contentId"] = a.contentID
	}
	return m
}
