package tenant

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"slices"
	"strings"
	"testing"
)

// digest hashes everything a backup of t would read: directory objects,
// every message's properties and MIME, attachments, events, contacts and
// every file and version, streaming content through the hash.
func digest(tb testing.TB, t *Tenant) string {
	tb.Helper()
	h := sha256.New()
	put := func(parts ...any) {
		for _, p := range parts {
			b, err := json.Marshal(p)
			if err != nil {
				tb.Fatalf("marshal %T: %v", p, err)
			}
			h.Write(b)
			h.Write([]byte{0})
		}
	}
	blob := func(b Blob) {
		if b == nil {
			put(nil)
			return
		}
		if _, err := io.Copy(h, Reader(b)); err != nil {
			tb.Fatalf("read blob: %v", err)
		}
	}
	err := t.Read(func() error {
		put(t.ID, t.DisplayName, t.Org, t.Domains, t.SKUs, t.Seq())
		for _, u := range t.Users {
			put(u.ID, u.UPN, u.Props, u.Version)
			if u.Mailbox != nil {
				digestMailbox(tb, h, put, blob, u.Mailbox)
			}
			if u.Drive != nil {
				d := u.Drive
				put(d.ID, d.Props)
				walkDrive(d, d.Item("root"), func(it *DriveItem) {
					put(it.ID, d.Path(it), it.Props, it.Version)
					blob(it.Content)
					for _, v := range it.Versions {
						put(v.ID, v.Modified)
						blob(v.Content)
					}
				})
			}
		}
		for _, g := range t.Groups {
			put(g.ID, g.Props, g.Members)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func digestMailbox(tb testing.TB, h hash.Hash, put func(...any), blob func(Blob), mb *Mailbox) {
	for _, f := range mb.FolderList {
		put(f.ID, f.ParentID, f.Props, f.Count, f.Unread)
	}
	for _, m := range sortedMessages(mb) {
		put(m.ID, m.ImmutableID, m.FolderID, m.Props, m.ExtProps)
		if err := RenderMIME(h, m); err != nil {
			tb.Fatalf("render %s: %v", m.ID, err)
		}
		for _, a := range m.Attachments {
			put(a.ID, a.Props)
			blob(a.Content)
		}
	}
	for _, id := range sortedKeys(mb.Events) {
		e := mb.Events[id]
		put(e.ID, e.CalendarID, e.Props)
		for _, a := range e.Attachments {
			put(a.ID, a.Props)
			blob(a.Content)
		}
	}
	for _, cf := range mb.ContactFolderList {
		put(cf.ID, cf.ParentID, cf.Props)
	}
	for _, id := range sortedKeys(mb.Contacts) {
		put(id, mb.Contacts[id].FolderID, mb.Contacts[id].Props)
	}
}

// sortedMessages returns a mailbox's live messages once each, by
// immutable id.
func sortedMessages(mb *Mailbox) []*Message {
	var out []*Message
	for id, m := range mb.Messages {
		if id == m.ImmutableID && !m.Deleted {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b *Message) int { return strings.Compare(a.ImmutableID, b.ImmutableID) })
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// checkJSONValue reports values encoding/json would not produce when
// decoding, so that Props encode exactly as Graph's JSON.
func checkJSONValue(path string, v any) error {
	switch x := v.(type) {
	case nil, string, bool, float64:
		return nil
	case map[string]any:
		for k, e := range x {
			if err := checkJSONValue(path+"."+k, e); err != nil {
				return err
			}
		}
		return nil
	case []any:
		for i, e := range x {
			if err := checkJSONValue(fmt.Sprintf("%s[%d]", path, i), e); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("%s: %T is not a JSON-decoded type", path, v)
}

// mustGenerate generates a tenant or fails the test.
func mustGenerate(tb testing.TB, o GenOptions) *Tenant {
	tb.Helper()
	t, err := Generate(o)
	if err != nil {
		tb.Fatalf("Generate: %v", err)
	}
	return t
}

// members returns the users with a mailbox.
func members(t *Tenant) []*User {
	var out []*User
	for _, u := range t.Users {
		if u.Mailbox != nil {
			out = append(out, u)
		}
	}
	return out
}

// countingWriter counts bytes and discards them.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("marshal %T: %v", v, err)
	}
	return b
}
