package graph

import (
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestAllMailFoldersWalksTree(t *testing.T) {
	tree := map[string]string{ // path -> page body
		"/v1.0/users/u1/mailFolders": `{"value":[{"id":"inbox","displayName":"Inbox","childFolderCount":2},` +
			`{"id":"sent","displayName":"Sent Items","childFolderCount":0},{"id":"arch","displayName":"Archive","childFolderCount":1}]}`,
		"/v1.0/users/u1/mailFolders/inbox/childFolders": `{"value":[{"id":"a","parentFolderId":"inbox","childFolderCount":1}],` +
			`"@odata.nextLink":"%s/v1.0/users/u1/mailFolders/inbox/childFolders?includeHiddenFolders=true&$skiptoken=2"}`,
		"/v1.0/users/u1/mailFolders/a/childFolders":    `{"value":[{"id":"a1","parentFolderId":"a","childFolderCount":0}]}`,
		"/v1.0/users/u1/mailFolders/arch/childFolders": `{"value":[{"id":"x","parentFolderId":"arch","childFolderCount":0}]}`,
	}
	var mu sync.Mutex
	var paths []string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		if r.URL.Query().Get("includeHiddenFolders") != "true" {
			t.Errorf("%s without includeHiddenFolders", r.URL.Path)
		}
		if r.URL.Query().Get("$skiptoken") == "2" {
			writeJSON(w, 200, `{"value":[{"id":"b","parentFolderId":"inbox","childFolderCount":0}]}`)
			return
		}
		body, ok := tree[r.URL.Path]
		if !ok {
			graphError(w, 404, "ErrorItemNotFound", r.URL.Path)
			return
		}
		writeJSON(w, 200, strings.ReplaceAll(body, "%s", "http://"+r.Host))
	})
	c, _, _ := testClient(t, h, Options{})
	var ids []string
	for f, err := range c.AllMailFolders(t.Context(), "u1", true) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, f.ID)
	}
	if got := strings.Join(ids, ","); got != "inbox,sent,arch,a,b,a1,x" {
		t.Errorf("folders = %s", got)
	}
	for _, p := range paths {
		if strings.Contains(p, "/sent/") || strings.Contains(p, "/b/") {
			t.Errorf("listed children of a folder without any: %s", p)
		}
	}
}

func TestCreateMessageMIME(t *testing.T) {
	const mime = "From: a@contoso.test\r\nSubject: hi\r\n\r\nbody\r\n"
	var ct, got string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct = r.Header.Get("Content-Type")
		b, _ := io.ReadAll(r.Body)
		got = string(b)
		writeJSON(w, 201, `{"id":"m9","isDraft":true}`)
	})
	c, _, _ := testClient(t, h, Options{})
	m, err := c.CreateMessageMIME(t.Context(), "u1", "inbox", strings.NewReader(mime))
	if err != nil {
		t.Fatal(err)
	}
	dec, err := base64.StdEncoding.DecodeString(got)
	if ct != "text/plain" || err != nil || string(dec) != mime || m.ID != "m9" {
		t.Errorf("Content-Type %q, body %q (%v), message %+v", ct, got, err, m)
	}
}

func TestMessageMIMEHoldsSlotUntilClosed(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("Subject: x\r\n\r\n"))
	})
	c, _, _ := testClient(t, h, Options{MailboxConcurrency: 1})
	first, err := c.MessageMIME(t.Context(), "u1", "m1")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		second, err := c.MessageMIME(t.Context(), "u1", "m2")
		if err != nil {
			t.Error(err)
			return
		}
		second.Close()
	}()
	select {
	case <-done:
		t.Fatal("second stream opened while the first held the mailbox's only slot")
	case <-timeAfter(100):
	}
	first.Close()
	<-done
}

func TestAttachmentIDFromLocation(t *testing.T) {
	for in, want := range map[string]string{
		"https://outlook.office.com/api/v2.0/Users('a@b')/Messages('AAM=')/Attachments('AAMkAD%2Fx%3D')": "AAMkAD/x=",
		"https://outlook.office.com/api/v2.0/Users('a')/Messages('m')/Attachments('plain')":              "plain",
		"": "",
		"https://outlook.office.com/api/v2.0/Users('a')/Messages('m')": "",
	} {
		if got := attachmentIDFromLocation(in); got != want {
			t.Errorf("attachmentIDFromLocation(%q) = %q, want %q", in, got, want)
		}
	}
}
