package tenant

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// writeMbox writes msgs in mboxrd form: a "From " line before each, every
// line matching ^>*From quoted with one more ">", and a blank line after.
func writeMbox(msgs [][]byte) []byte {
	var b bytes.Buffer
	for _, m := range msgs {
		b.WriteString("From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n")
		for _, line := range bytes.SplitAfter(m, []byte("\n")) {
			if fromLine.Match(line) {
				b.WriteByte('>')
			}
			b.Write(line)
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

var fromLine = regexp.MustCompile(`^>*From `)

const (
	mboxMsg1 = "From: Ann <ann@x.test>\nTo: zoe.mueller@x.test\nSubject: first\nDate: Tue, 4 Mar 2025 10:00:00 +0000\nMessage-ID: <m1@x.test>\n\nFrom the desk of Ann:\n>From a quote\nbye\n"
	mboxMsg2 = "From: Bob <bob@x.test>\nSubject: =?utf-8?q?zweite_Nachricht_=C3=BC?=\nIn-Reply-To: <m1@x.test>\nReferences: <m1@x.test>\n\nsecond\n\n"
	mboxMsg3 = "Subject: third\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n" +
		"--b\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0x\r\n--b--\r\n"
)

func TestImportMbox(t *testing.T) {
	tn := mustGenerate(t, SmallGenOptions(41))
	user := members(tn)[2].UPN
	msgs := [][]byte{[]byte(mboxMsg1), []byte(mboxMsg2), []byte(mboxMsg3)}
	before := tn.Seq()
	n, err := ImportMbox(tn, user, "Inbox/Imported/2025", bytes.NewReader(writeMbox(msgs)))
	if err != nil || n != 3 {
		t.Fatalf("ImportMbox: %d, %v; want 3, nil", n, err)
	}
	u := tn.User(user)
	mb := u.Mailbox
	imported := mb.ChildFolders(mb.Folder("inbox").ID)
	var parent *MailFolder
	for _, f := range imported {
		if f.Props["displayName"] == "Imported" {
			parent = f
		}
	}
	if parent == nil || len(mb.ChildFolders(parent.ID)) != 1 {
		t.Fatalf("Inbox/Imported/2025 was not created")
	}
	f := mb.ChildFolders(parent.ID)[0]
	entries, _ := f.Log.Since(before, tn.Seq(), 100, true)
	if len(entries) != 3 || f.Count != 3 || f.Unread != 0 {
		t.Fatalf("folder has %d log entries, Count %d, Unread %d; want 3, 3, 0", len(entries), f.Count, f.Unread)
	}
	wantSubjects := []string{"first", "zweite Nachricht ü", "third"}
	for i, e := range entries {
		m := mb.Message(e.ID)
		var buf bytes.Buffer
		if err := RenderMIME(&buf, m); err != nil {
			t.Fatal(err)
		}
		if buf.String() != string(msgs[i]) {
			t.Errorf("message %d: $value is\n%q\nwant the original\n%q", i, buf.String(), msgs[i])
		}
		if m.Props["subject"] != wantSubjects[i] || m.Props["isRead"] != true || m.Props["isDraft"] != false {
			t.Errorf("message %d props: subject %v, isRead %v, isDraft %v", i, m.Props["subject"], m.Props["isRead"], m.Props["isDraft"])
		}
		if m.ExtProps["Integer 0x0E07"] != "1" {
			t.Errorf("message %d: PidTagMessageFlags %q, want 1 (read, sent)", i, m.ExtProps["Integer 0x0E07"])
		}
		if err := checkJSONValue("props", m.Props); err != nil {
			t.Error(err)
		}
	}
	first, second := mb.Message(entries[0].ID), mb.Message(entries[1].ID)
	if first.Props["conversationId"] != second.Props["conversationId"] {
		t.Error("a reply is not in its parent's conversation")
	}
	if third := mb.Message(entries[2].ID); len(third.Attachments) != 1 || third.Props["hasAttachments"] != true || third.Attachments[0].ID == "" {
		t.Errorf("attachment not imported: %+v", third.Attachments)
	}
}

func TestImportMboxFolders(t *testing.T) {
	tn := mustGenerate(t, SmallGenOptions(42))
	u := members(tn)[0]
	mb := u.Mailbox
	var projects *MailFolder
	for _, f := range mb.FolderList {
		if f.Props["displayName"] == "Projects" {
			projects = f
		}
	}
	folders := len(mb.FolderList)
	for _, tc := range []struct {
		path string
		want *MailFolder
	}{
		{"inbox/PROJECTS", projects},
		{"", mb.Folder("inbox")},
		{"Archive", mb.Folder("archive")},
		{projects.ID, projects},
	} {
		n, err := ImportMbox(tn, u.ID, tc.path, strings.NewReader("From x\nSubject: s\n\nb\n"))
		if err != nil || n != 1 {
			t.Fatalf("%q: %d, %v", tc.path, n, err)
		}
		if tc.want.Count == 0 {
			t.Errorf("%q: message not in %v", tc.path, tc.want.Props["displayName"])
		}
	}
	if len(mb.FolderList) != folders {
		t.Errorf("existing folders were created again: %d folders, was %d", len(mb.FolderList), folders)
	}
}

func TestImportMboxErrors(t *testing.T) {
	tn := mustGenerate(t, SmallGenOptions(43))
	user := members(tn)[1].UPN
	for _, tc := range []struct {
		name, user, in string
		n              int
		want           string
	}{
		{"not-mbox", user, "Subject: x\n\nbody\n", 0, "not an mbox"},
		{"no-user", "nobody@nowhere.test", "From x\nSubject: s\n\nb\n", 0, "not found"},
		{"guest-without-mailbox", tn.Users[len(tn.Users)-1].UPN, "From x\nSubject: s\n\nb\n", 0, "no mailbox"},
		{"bad-second-message", user, "From x\nSubject: ok\n\nb\n\nFrom y\nnot a header line\n\nb\n", 1, "message 2"},
		{"empty-input", user, "", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := ImportMbox(tn, tc.user, "Inbox/Errors", strings.NewReader(tc.in))
			if n != tc.n {
				t.Errorf("imported %d, want %d", n, tc.n)
			}
			if tc.want == "" {
				if err != nil {
					t.Errorf("error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func TestImportEML(t *testing.T) {
	tn := mustGenerate(t, SmallGenOptions(44))
	dir := t.TempDir()
	files := map[string]string{"b.EML": mboxMsg2, "a.eml": mboxMsg1, "notes.txt": "not mail", "sub/c.eml": mboxMsg3}
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	u := members(tn)[3]
	n, err := ImportEML(tn, u.ID, "Archive/From disk", dir)
	if err != nil || n != 2 {
		t.Fatalf("ImportEML: %d, %v; want 2, nil", n, err)
	}
	f, _ := ensureMailFolder(tn, u.Mailbox, "Archive/From disk")
	entries, _ := f.Log.Since(0, tn.Seq(), 10, false)
	if len(entries) != 2 {
		t.Fatalf("%d messages in the folder", len(entries))
	}
	for i, want := range []string{mboxMsg1, mboxMsg2} { // name order: a.eml, b.EML
		if got := string(u.Mailbox.Message(entries[i].ID).MIME.(Bytes)); got != want {
			t.Errorf("message %d is %q, want %q", i, got, want)
		}
	}
	if _, err := ImportEML(tn, u.ID, "x", filepath.Join(dir, "missing")); err == nil {
		t.Error("no error for a missing directory")
	}
}

func TestMboxSplit(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"basic", "From a\nm1\n\nFrom b\nm2\n", []string{"m1\n", "m2\n"}},
		{"crlf", "From a\r\nm1\r\n\r\nFrom b\r\nm2\r\n\r\n", []string{"m1\r\n", "m2\r\n"}},
		{"leading-blank-lines", "\n\nFrom a\nm1\n", []string{"m1\n"}},
		{"from-without-blank-is-content", "From a\nx\nFrom b\n", []string{"x\nFrom b\n"}},
		{"mboxrd-unquote", "From a\n>From x\n>>From y\n>Fromage\n", []string{"From x\n>From y\n>Fromage\n"}},
		{"empty-messages-skipped", "From a\n\nFrom b\n\nFrom c\nm\n", []string{"m\n"}},
		{"no-final-newline", "From a\nm1", []string{"m1"}},
		{"long-line", "From a\n" + strings.Repeat("x", 200<<10) + "\n\nFrom b\nm\n", []string{strings.Repeat("x", 200<<10) + "\n", "m\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := splitAll(strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\x00") != strings.Join(tc.want, "\x00") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if _, err := splitAll(strings.NewReader("Subject: x\n")); !errors.Is(err, errNotMbox) {
		t.Errorf("error %v, want errNotMbox", err)
	}
}

func splitAll(r io.Reader) ([]string, error) {
	mr := newMboxReader(r)
	var out []string
	for {
		m, err := mr.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, string(m))
	}
}

// FuzzMboxSplit checks that splitting never panics, and that messages
// written in mboxrd form split back into exactly the same messages.
func FuzzMboxSplit(f *testing.F) {
	f.Add([]byte("From a\nm1\n\nFrom b\nm2\n"))
	f.Add([]byte("Subject: x\n\nFrom the start\n\x00>From quoted\n\n\x00\n"))
	f.Add([]byte("a\r\n\r\nFrom b\r\n\x00>>From c\r\n"))
	f.Add([]byte(mboxMsg1 + "\x00" + mboxMsg2 + "\x00" + mboxMsg3))
	f.Fuzz(func(t *testing.T, data []byte) {
		splitAll(bytes.NewReader(data)) // arbitrary input: must not panic

		var msgs [][]byte
		for _, m := range bytes.Split(data, []byte{0}) {
			if len(m) == 0 {
				continue
			}
			if !bytes.HasSuffix(m, []byte("\n")) {
				m = append(m, '\n')
			}
			msgs = append(msgs, m)
		}
		got, err := splitAll(bytes.NewReader(writeMbox(msgs)))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(msgs) {
			t.Fatalf("%d messages back, wrote %d: %q", len(got), len(msgs), got)
		}
		for i := range msgs {
			if got[i] != string(msgs[i]) {
				t.Fatalf("message %d: %q, wrote %q", i, got[i], msgs[i])
			}
		}
	})
}
