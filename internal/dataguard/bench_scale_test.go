package dataguard

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/repo"
)

// Benchmarks behind scripts/bench. Each reports what the issue asks to
// measure; the script runs them one per process (peak RSS is per process)
// and prints a table.

// envInt reads a positive integer from the environment, or def.
func envInt(b *testing.B, name string, def int64) int64 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// mailOnly is a tenant of users with mailboxes of about messages small
// messages and nothing else worth backing up.
func mailOnly(seed uint64, users, messages int) tenant.GenOptions {
	return tenant.GenOptions{Seed: seed, Users: users, MessagesPerUser: messages, EventsPerUser: 1, ContactsPerUser: 1,
		FilesPerUser: 1, MaxFileSize: 64 << 10, MaxMessageSize: 256 << 10}
}

// BenchmarkBackupCeiling backs up one mailbox under Outlook's per-mailbox
// limit (10,000 requests per 10 minutes, 4 concurrent), time-scaled by
// SG365_BENCH_TIMESCALE (default 30: a 20 s window, a ceiling of 500
// req/s), to see how close the backup runs to the ceiling without being
// throttled. ceiling-fraction is Graph requests per second over the
// ceiling; the backup must run for several windows (SG365_BENCH_MESSAGES
// messages, default 30,000: about three) so that the first window's burst
// does not flatter it, and the ceiling must sit below what the machine
// manages unthrottled, or the figure measures the CPU.
func BenchmarkBackupCeiling(b *testing.B) {
	scale := float64(envInt(b, "SG365_BENCH_TIMESCALE", 30))
	lim := limits.DefaultConfig()
	lim.TimeScale = scale
	window := time.Duration(float64(lim.Outlook.Requests.Window) / scale)
	ceiling := float64(lim.Outlook.Requests.Limit) / window.Seconds()
	e := newEnv(b, mailOnly(201, 1, int(envInt(b, "SG365_BENCH_MESSAGES", 30000))), m365sim.Options{Limits: &lim})
	var last Summary
	for range b.N {
		b.StopTimer()
		e.r = repo.TestRepository(b)
		if err := e.l.Control(http.MethodPost, "stats/reset", nil, nil); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		last = e.mustBackup(BackupOptions{Workloads: []string{WorkloadMail}})
	}
	es := e.l.Stats()
	t := last.Total
	b.ReportMetric(float64(t.New)/last.Seconds, "items/s")
	b.ReportMetric(float64(last.Graph.Requests)/last.Seconds/ceiling, "ceiling-fraction")
	b.ReportMetric(last.Seconds/window.Seconds(), "windows")
	if es.Requests > 0 {
		b.ReportMetric(100*float64(es.Status[http.StatusTooManyRequests])/float64(es.Requests), "throttled-%")
	}
	b.ReportMetric(last.Seconds, "seconds")
}

// BenchmarkBackupScaling backs up 1 to 16 mailboxes at once (Workers =
// mailboxes) with Microsoft's default limits, reporting items/s over all of
// them and per mailbox.
func BenchmarkBackupScaling(b *testing.B) {
	for _, n := range []int{1, 2, 4, 8, 16} {
		b.Run(fmt.Sprintf("mailboxes=%d", n), func(b *testing.B) {
			e := newEnv(b, mailOnly(202, n, 300), m365sim.Options{})
			users := e.members()
			var last Summary
			for range b.N {
				b.StopTimer()
				e.r = repo.TestRepository(b)
				b.StartTimer()
				last = e.mustBackup(BackupOptions{Workloads: []string{WorkloadMail}, Users: users, Workers: n})
			}
			items := float64(last.Total.New)
			b.ReportMetric(items/last.Seconds, "items/s")
			b.ReportMetric(items/last.Seconds/float64(len(users)), "items/s/mailbox")
		})
	}
}

// BenchmarkIncremental1Pct changes about 1 % of a mailbox and a OneDrive
// (read state, flags, moves, new mail, new and changed files) and compares
// the Graph requests of the incremental backup with the full one's.
func BenchmarkIncremental1Pct(b *testing.B) {
	const messages, files = 2000, 400
	e := newEnv(b, tenant.GenOptions{Seed: 203, Users: 1, MessagesPerUser: messages, EventsPerUser: 1, ContactsPerUser: 1,
		FilesPerUser: files, MaxFileSize: 1 << 20, MaxMessageSize: 256 << 10}, m365sim.Options{})
	opts := BackupOptions{Workloads: []string{WorkloadMail, WorkloadOneDrive}}
	full := e.mustBackup(opts)
	var last Summary
	for i := range b.N {
		b.StopTimer()
		items := full.Total.New
		per := int(max(1, items/100/6))
		e.mutate(tenant.MutateOptions{Seed: uint64(i + 1), NewMessages: per, ChangedMessages: per, MovedMessages: per,
			NewFiles: per, ChangedFiles: per, RenamedFiles: per})
		b.StartTimer()
		last = e.mustBackup(opts)
	}
	t := last.Total
	b.ReportMetric(100*float64(t.New+t.Changed+t.Deleted)/float64(max(1, full.Total.New)), "changed-%")
	b.ReportMetric(100*float64(last.Graph.Requests)/float64(max(1, full.Graph.Requests)), "requests-%-of-full")
	b.ReportMetric(float64(full.Graph.Requests), "full-requests")
	b.ReportMetric(float64(last.Graph.Requests), "incremental-requests")
}

// BenchmarkBackupMemory backs up one mailbox of SG365_BENCH_ITEMS messages
// (default 1,000), or one OneDrive holding a file of SG365_BENCH_FILE_MB
// MiB (default 10), from an emulator in another process, and reports the
// peak RSS and live heap of the backing-up process. Run one case per
// process (scripts/bench does): VmHWM is per process.
func BenchmarkBackupMemory(b *testing.B) {
	b.Run("mailbox", func(b *testing.B) {
		memoryRun(b, mailOnly(204, 1, int(envInt(b, "SG365_BENCH_ITEMS", 1000))), []string{WorkloadMail})
	})
	b.Run("file", func(b *testing.B) {
		size := envInt(b, "SG365_BENCH_FILE_MB", 10) << 20
		memoryRun(b, tenant.GenOptions{Seed: 205, Users: 1, MessagesPerUser: 1, EventsPerUser: 1, ContactsPerUser: 1,
			FilesPerUser: 1, MaxFileSize: 64 << 10, LargeFiles: 1, LargeFileSize: size}, []string{WorkloadOneDrive})
	})
}

// resetPeakRSS resets the process's VmHWM (Linux: writing 5 to clear_refs).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// procStatus reads a size in bytes (VmHWM:, VmRSS:) from /proc/self/status.
func procStatus(key string) (int64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), key); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
