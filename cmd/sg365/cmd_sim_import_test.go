package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
)

const twoMessages = "From alice@example.com Mon Mar  4 10:00:00 2024\n" +
	"From: Alice <alice@example.com>\nTo: Bob <bob@example.com>\nSubject: one\nDate: Mon, 04 Mar 2024 10:00:00 +0000\nMessage-ID: <1@example.com>\n\nfirst body\n>From here on\n\n" +
	"From bob@example.com Mon Mar  4 11:00:00 2024\n" +
	"From: Bob <bob@example.com>\nTo: Alice <alice@example.com>\nSubject: two\nDate: Mon, 04 Mar 2024 11:00:00 +0000\nMessage-ID: <2@example.com>\n\nsecond body\n"

func TestSimServeImportMbox(t *testing.T) {
	srv, err := m365sim.New(m365sim.Options{Users: 2, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	mbox := filepath.Join(t.TempDir(), "mail.mbox")
	os.WriteFile(mbox, []byte(twoMessages), 0o600)
	g, _, _ := testGlobals(t, false)
	before := srv.Summary().Users[0].Messages
	upn := srv.Summary().Users[0].UPN
	if err := importMail(srv, SimServeOptions{ImportMbox: mbox, ImportTo: upn + ":Inbox/From mbox"}, g); err != nil {
		t.Fatal(err)
	}
	if after := srv.Summary().Users[0].Messages; after != before+2 {
		t.Fatalf("messages %d -> %d, want +2", before, after)
	}
	if err := importMail(srv, SimServeOptions{ImportMbox: filepath.Join(t.TempDir(), "missing")}, g); err == nil {
		t.Fatal("missing mbox accepted")
	}
	if (SimServeOptions{Users: 1, Addr: "127.0.0.1:0", TimeScale: 1, ImportTo: "x:y"}).Validate() == nil {
		t.Fatal("--import-to without an import accepted")
	}
}
