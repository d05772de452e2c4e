package dataguard

import (
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/repo"
)

// benchTenant is one user with a mailbox and a OneDrive of a few hundred
// items each.
func benchTenant() tenant.GenOptions {
	return tenant.GenOptions{Seed: 101, Users: 1, MessagesPerUser: 400, EventsPerUser: 1, ContactsPerUser: 1,
		FilesPerUser: 150, MaxFileSize: 4 << 20, MaxMessageSize: 2 << 20}
}

// BenchmarkBackupMailbox backs up one user's mailbox and OneDrive from the
// emulator (HTTPS, OAuth, Microsoft's default limits) into a local kopia
// repository: a full backup into an empty repository, and an incremental
// one after a day of simulated activity. The emulator runs in the same
// process, so it shares the CPU and its memory counts in peak-live-heap-MiB.
func BenchmarkBackupMailbox(b *testing.B) {
	b.Run("full", func(b *testing.B) {
		e := newEnv(b, benchTenant(), m365sim.Options{})
		var last Summary
		var peak uint64
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			e.r = repo.TestRepository(b)
			b.StartTimer()
			stop := peakHeap(&peak)
			last = e.mustBackup(BackupOptions{})
			stop()
		}
		report(b, last, last.Total.New, peak)
	})
	b.Run("incremental", func(b *testing.B) {
		e := newEnv(b, benchTenant(), m365sim.Options{})
		e.mustBackup(BackupOptions{})
		var last Summary
		var peak uint64
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			opts := tenant.DefaultMutateOptions(uint64(i+1), 1)
			opts.NewEvents, opts.ChangedEvents, opts.DeletedEvents = 0, 0, 0
			opts.NewContacts, opts.ChangedContacts, opts.DeletedContacts = 0, 0, 0
			e.mutate(opts)
			b.StartTimer()
			stop := peakHeap(&peak)
			last = e.mustBackup(BackupOptions{})
			stop()
		}
		t := last.Total
		report(b, last, t.New+t.Changed+t.Deleted, peak)
		b.ReportMetric(float64(t.Unchanged), "unchanged-items")
	})
}

// report adds the metrics of the last run: items/s and MB/s over the run,
// Graph requests per item (items: all for a full backup, the changed ones
// for an incremental), and repository bytes stored per byte read from
// Graph.
func report(b *testing.B, s Summary, items int64, peak uint64) {
	secs := s.Seconds
	if secs <= 0 {
		secs = 1e-9
	}
	b.ReportMetric(float64(items), "items")
	b.ReportMetric(float64(items)/secs, "items/s")
	b.ReportMetric(float64(s.Total.BytesRead)/1e6/secs, "MB/s")
	if items > 0 {
		b.ReportMetric(float64(s.Graph.Requests)/float64(items), "requests/item")
	}
	if s.Total.BytesRead > 0 {
		b.ReportMetric(float64(s.Total.BytesStored)/float64(s.Total.BytesRead), "stored/source-byte")
	}
	b.ReportMetric(float64(s.Total.BytesStored)/1e6, "stored-MB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-live-heap-MiB")
}

// peakHeap samples the live heap (as measured by the last garbage
// collection, so garbage awaiting collection does not count) until stop is
// called, keeping the largest value in *peak.
func peakHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				*peak = max(*peak, sample[0].Value.Uint64())
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
