package audit

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/repo"
)

var t0 = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

// TestLogRoundTrip: device, user and alert entries share the log; a
// failed action is recorded as failed; a retention policy keeps every
// entry, because each is its own source.
func TestLogRoundTrip(t *testing.T) {
	ctx := t.Context()
	rp := repo.TestRepository(t)
	plans := []*Plan{
		{Action: "wipe", Target: Target{DeviceID: "d1", DeviceName: "LT-1"}, Method: "POST", URL: "https://g/v1.0/x/wipe"},
		{Action: "disable", Target: Target{UserID: "u1", UserPrincipalName: "adele@c.test"}, Method: "PATCH", URL: "https://g/v1.0/users/u1",
			Body: map[string]any{"accountEnabled": false}},
		{Action: "update-alert", Target: Target{AlertID: "a1", AlertTitle: "DCSync"}, Method: "PATCH", URL: "https://g/v1.0/security/alerts_v2/a1"},
	}
	for i, p := range plans {
		var err error
		if i == 1 {
			err = context.DeadlineExceeded
		}
		if err := Append(ctx, rp, NewEntry(t0.Add(time.Duration(i)*time.Minute), "a@h", "t1", p, Outcome{Result: "succeeded"}, err)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rp.Forget(ctx, repo.Policy{KeepLast: 1}, repo.ForgetOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := Read(ctx, rp, "t1")
	if err != nil || len(got) != 3 {
		t.Fatalf("read: %d entries, %v", len(got), err)
	}
	names := []string{got[0].Target.Name(), got[1].Target.Name(), got[2].Target.Name()}
	if strings.Join(names, ",") != "LT-1,adele@c.test,a1" {
		t.Errorf("targets: %v", names)
	}
	if got[1].Result != "failed" || got[1].Error == "" || got[1].Parameters["accountEnabled"] != false || got[0].Snapshot == "" {
		t.Errorf("entries: %+v", got)
	}
	if other, _ := Read(ctx, rp, "t2"); len(other) != 0 {
		t.Errorf("tenant filter: %d entries", len(other))
	}
	if err := Append(ctx, rp, Entry{Action: "x"}); err == nil {
		t.Error("entry without a tenant accepted")
	}
}
