package graph_test

import (
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
)

// A page whose body is cut off after its headers is read again: for a GET
// that is as safe as retrying a reset connection.
func TestEmulatorTruncatedPagesAreRetried(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 1, Seed: 4, MessagesPerUser: 40, FilesPerUser: -1})
	c := newEmulatorClient(t, l, graph.Options{})
	ctx := testCtx(t, time.Minute)
	var uid string
	for u, err := range c.Users(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		uid = u.ID
		break
	}
	want := 0
	for f, err := range c.AllMailFolders(ctx, uid, false) {
		if err != nil {
			t.Fatal(err)
		}
		want += f.TotalItemCount
	}
	if err := l.SetFaults(limits.FaultConfig{Seed: 9, TruncateRate: 0.3, Paths: []string{"/v1.0/users/" + uid + "/mailFolders"}}); err != nil {
		t.Fatal(err)
	}
	got := 0
	for f, err := range c.AllMailFolders(ctx, uid, false) {
		if err != nil {
			t.Fatalf("folders under 30%% truncated responses: %v", err)
		}
		got += f.TotalItemCount
	}
	if got != want {
		t.Fatalf("counted %d messages under truncation, %d without", got, want)
	}
	if c.Stats().Retries == 0 {
		t.Fatal("no retries: the fault did not fire, so the test proves nothing")
	}
}
