package restore

import (
	"fmt"
	"testing"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// BenchmarkRestoreMailbox restores one backed-up mailbox of a few hundred
// messages into another user's mailbox, through the emulator with
// Microsoft's default limits on (4 concurrent requests and 10,000 requests
// per 10 minutes per mailbox, 150 MB of uploads per 5 minutes). Each
// iteration restores into a new folder, so every message is created.
// items/s is per mailbox; the target is at least 8.
func BenchmarkRestoreMailbox(b *testing.B) {
	gen := tenant.GenOptions{Seed: 101, Users: 2, MessagesPerUser: 300, EventsPerUser: 1, ContactsPerUser: 1,
		FilesPerUser: 1, MaxFileSize: 64 << 10, MaxMessageSize: 1 << 20}
	e := newEnv(b, gen, m365sim.Options{})
	us := e.users()
	src, dst := us[0], us[1]
	snaps := e.backup(dataguard.WorkloadMail, src.ID)
	var last Summary
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		last = e.restore(Request{Snapshots: snaps, Target: Target{User: dst.UPN}, Folder: fmt.Sprintf("bench %d", i)})
	}
	b.StopTimer()
	t := last.Total
	items := t.Created
	b.ReportMetric(float64(items), "items")
	b.ReportMetric(float64(items)/last.Seconds, "items/s")
	b.ReportMetric(float64(last.Graph.Requests)/float64(items), "requests/item")
	b.ReportMetric(float64(t.Bytes)/1e6/last.Seconds, "MB/s")
	if t.Failed > 0 {
		b.Fatalf("%d items failed", t.Failed)
	}
}
