package inventory_test

import (
	"testing"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/inventory"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/secret"
)

// TestCountMatchesEmulator counts an emulated tenant through the real
// Graph client over HTTPS and OAuth and compares with the emulator's own
// view of its data.
func TestCountMatchesEmulator(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 4, Seed: 11, MessagesPerUser: 30, FilesPerUser: 20})
	c, err := graph.New(graph.Config{TenantID: l.TenantID, ClientID: l.ClientID, Secret: secret.New(l.ClientSecret),
		AuthorityHost: l.AuthorityHost, GraphURL: l.GraphURL, CACerts: l.CAPool()}, graph.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := inventory.Count(t.Context(), c, inventory.Options{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]m365sim.UserSummary{}
	for _, u := range l.Server.Summary().Users {
		want[u.ID] = u
	}
	if len(got) != len(want) {
		t.Fatalf("counted %d users, emulator has %d", len(got), len(want))
	}
	withData := 0
	for _, u := range got {
		w := want[u.ID]
		// The summary counts hidden folders' messages too; Count skips
		// hidden folders, which hold none in a generated tenant.
		if !u.NoMailbox && u.Messages != w.Messages {
			t.Errorf("%s: %d messages, emulator has %d", u.UPN, u.Messages, w.Messages)
		}
		if !u.NoDrive && (u.Files != w.Files || u.DriveBytes != w.DriveBytes) {
			t.Errorf("%s: %d files / %d bytes, emulator has %d / %d", u.UPN, u.Files, u.DriveBytes, w.Files, w.DriveBytes)
		}
		if u.Messages > 0 && u.Files > 0 {
			withData++
		}
	}
	if withData < 4 {
		t.Errorf("only %d users have both mail and files; the test would prove little", withData)
	}
}
