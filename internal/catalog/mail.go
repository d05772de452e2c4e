package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/dataguard"
)

// messageJSON is what the catalog reads of a message's Graph JSON. Dates
// are strings so that one malformed date does not lose the rest.
type messageJSON struct {
	Subject  string      `json:"subject"`
	From     *recipient  `json:"from"`
	Sender   *recipient  `json:"sender"`
	To       []recipient `json:"toRecipients"`
	Cc       []recipient `json:"ccRecipients"`
	Sent     string      `json:"sentDateTime"`
	Received string      `json:"receivedDateTime"`
	IsDraft  bool        `json:"isDraft"`
}

type recipient struct {
	EmailAddress struct {
		Name    string `json:"name"`
		Address string `json:"address"`
	} `json:"emailAddress"`
}

func (r *recipient) String() string {
	if r == nil {
		return ""
	}
	name, addr := strings.TrimSpace(r.EmailAddress.Name), strings.TrimSpace(r.EmailAddress.Address)
	switch {
	case addr == "":
		return name
	case name == "" || strings.EqualFold(name, addr):
		return "<" + addr + ">"
	}
	return name + " <" + addr + ">"
}

func joinRecipients(rs []recipient) string {
	parts := make([]string, 0, len(rs))
	for i := range rs {
		if s := rs[i].String(); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// parseGraphTime parses a Graph date (RFC 3339, with or without zone);
// the zero time for anything else.
func parseGraphTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// listMail lists a mail snapshot's folders and messages. A message's
// listing knows only its id and folder; Exchange messages do not change
// under their (immutable) id except drafts, so an indexed version is
// reused unless it is a draft or was incomplete.
func listMail(ctx context.Context, v *dataguard.View, opts Options, emit func(entry) error) error {
	for _, f := range v.MailFolders() {
		folder := entry{Item: Item{Kind: KindFolder, ID: f.ID, Folder: parentPath(f.Path), Name: f.Name}}
		folder.same = func(old *Item) bool { return old.Name == folder.Name }
		if err := emit(folder); err != nil {
			return err
		}
		msgs, err := v.Messages(ctx, f.ID)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			e := entry{Item: Item{Kind: KindMessage, ID: m.ID, Folder: f.Path}}
			e.same = func(*Item) bool { return true }
			e.load = func(ctx context.Context, it *Item) error { return loadMessage(ctx, v, m, opts.HashMail, it) }
			if err := emit(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadMessage reads a message's JSON and the size (and, with hash, the
// SHA-256) of its MIME.
func loadMessage(ctx context.Context, v *dataguard.View, m dataguard.MessageRef, hash bool, it *Item) error {
	var js messageJSON
	if err := v.ReadJSON(ctx, m.JSON, &js); err != nil {
		return err
	}
	it.Name = js.Subject
	from := js.From
	if from == nil {
		from = js.Sender
	}
	it.From = from.String()
	it.To = joinRecipients(js.To)
	it.Cc = joinRecipients(js.Cc)
	it.Sent = parseGraphTime(js.Sent)
	it.Received = parseGraphTime(js.Received)
	// lastModifiedDateTime is left out: it changes with read state,
	// flags and moves, which a listing cannot see, so it would go stale.
	it.Date = it.Received
	if it.Date.IsZero() {
		it.Date = it.Sent
	}
	if js.IsDraft {
		it.flags |= flagDraft
	}
	f, err := v.Open(ctx, m.EML)
	if err != nil {
		return err
	}
	defer f.Close()
	if hash {
		h := sha256.New()
		n, err := io.Copy(h, f)
		if err != nil {
			return fmt.Errorf("read %s: %w", m.EML, err)
		}
		it.Size, it.Hash = n, hex.EncodeToString(h.Sum(nil))
		return nil
	}
	n, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("size of %s: %w", m.EML, err)
	}
	it.Size = n
	return nil
}

// parentPath is the folder holding the item at p ("" at the top).
func parentPath(p string) string {
	if d := path.Dir(p); d != "." && d != "/" {
		return d
	}
	return ""
}
