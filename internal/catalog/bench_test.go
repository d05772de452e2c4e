package catalog

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/repo"
)

// synthetic returns n message entries with realistic text: subjects of a
// few words from a vocabulary, 500 correspondents, dates over three years.
// Entries with load set count as read from the repository.
func synthetic(n int, seed uint64) []entry {
	r := rand.New(rand.NewPCG(seed, 1))
	vocab := []string{"budget", "review", "quarterly", "report", "invoice", "meeting", "project", "kestrel", "atlas",
		"contract", "draft", "final", "offsite", "planning", "roadmap", "hiring", "security", "incident", "update",
		"customer", "renewal", "pricing", "launch", "design", "notes", "agenda", "minutes", "travel", "expenses"}
	people := make([]string, 500)
	for i := range people {
		people[i] = fmt.Sprintf("Person %d Surname%d <person.%d@contoso.example>", i, i%37, i)
	}
	folders := []string{"Inbox", "Sent Items", "Archive/2024", "Archive/2025", "Projects/Kestrel", "Deleted Items"}
	t0 := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]entry, n)
	for i := range out {
		subj := ""
		for k := 2 + r.IntN(5); k > 0; k-- {
			subj += vocab[r.IntN(len(vocab))] + " "
		}
		d := t0.Add(time.Duration(r.Int64N(int64(3 * 365 * 24 * time.Hour))))
		it := Item{Kind: KindMessage, ID: "AAMkAGI2TG93AAA" + strconv.Itoa(i) + "-synthetic-immutable-id-of-realistic-length-0123456789abcdef",
			Folder: folders[r.IntN(len(folders))], Name: "RE: " + subj, From: people[r.IntN(len(people))],
			To: people[r.IntN(len(people))] + ", " + people[r.IntN(len(people))], Date: d, Sent: d, Received: d,
			Size: 2000 + r.Int64N(200000)}
		out[i] = entry{Item: Item{Kind: it.Kind, ID: it.ID, Folder: it.Folder},
			same: func(*Item) bool { return true },
			load: func(_ context.Context, dst *Item) error { *dst = it; return nil }}
	}
	return out
}

// storeSynthetic indexes entries as snapshot id of one synthetic mailbox.
func storeSynthetic(tb testing.TB, c *Catalog, id string, start time.Time, entries []entry) SnapshotStat {
	tb.Helper()
	info := repo.SnapshotInfo{ID: repo.SnapshotID(id), StartTime: start, EndTime: start,
		Source: repo.Source{Tenant: "t", Workload: "exchange-mail", Resource: "user-1"}}
	var st SnapshotStat
	list := func(ctx context.Context, emit func(entry) error) error {
		for _, e := range entries {
			if err := emit(e); err != nil {
				return err
			}
		}
		return nil
	}
	if err := c.store(context.Background(), info, "user1@contoso.example", "mail", list, &st); err != nil {
		tb.Fatal(err)
	}
	return st
}

func dbSize(tb testing.TB, c *Catalog) int64 {
	tb.Helper()
	if err := c.Checkpoint(context.Background()); err != nil {
		tb.Fatal(err)
	}
	fi, err := os.Stat(c.Path())
	if err != nil {
		tb.Fatal(err)
	}
	return fi.Size()
}

// BenchmarkIndexRows measures the database side of indexing: 100k new
// messages in one snapshot, then a second snapshot of the same mailbox with
// 1% new messages. Reading from the repository is not included (see
// BenchmarkIndexEmulator).
//
//	go test ./internal/catalog -run XXX -bench IndexRows -benchtime 1x
func BenchmarkIndexRows(b *testing.B) {
	const n = 100_000
	entries := synthetic(n, 1)
	more := append(entries[:len(entries):len(entries)], synthetic(n/100, 2)...)
	for i := range more[n:] {
		more[n+i].ID += "-new"
	}
	for b.Loop() {
		c := openCatalog(b, filepath.Join(b.TempDir(), "bench.db"))
		t0 := time.Now()
		storeSynthetic(b, c, "snap-1", time.Unix(1e9, 0), entries)
		d1 := time.Since(t0)
		size1 := dbSize(b, c)
		t0 = time.Now()
		st := storeSynthetic(b, c, "snap-2", time.Unix(1e9+86400, 0), more)
		d2 := time.Since(t0)
		size2 := dbSize(b, c)
		b.ReportMetric(float64(n)/d1.Seconds(), "rows/s")
		b.ReportMetric(float64(size1)/n, "dbB/item")
		b.ReportMetric(float64(len(more))/d2.Seconds(), "items/s-2nd")
		b.ReportMetric(float64(size2-size1), "dbB-2nd")
		if st.Reused != n || st.Read != n/100 {
			b.Fatalf("second snapshot: %+v", st)
		}
	}
}

// BenchmarkFind measures find latency on a catalog of 100k messages.
//
//	go test ./internal/catalog -run XXX -bench Find
func BenchmarkFind(b *testing.B) {
	c := openCatalog(b, filepath.Join(b.TempDir(), "bench.db"))
	storeSynthetic(b, c, "snap-1", time.Unix(1e9, 0), synthetic(100_000, 1))
	after := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, q := range []struct {
		name string
		q    Query
	}{
		{"subject-word", Query{Subject: "kestrel", Limit: 100}},
		{"subject-2words", Query{Subject: "budget kestrel", Limit: 100}},
		{"subject-rare", Query{Subject: "kestrel atlas offsite roadmap"}},
		{"from", Query{From: "person.42@contoso.example", Limit: 100}},
		{"to-and-dates", Query{To: "person 7", After: after, Before: after.AddDate(0, 1, 0)}},
		{"week", Query{After: after, Before: after.AddDate(0, 0, 7)}},
		{"newest-100", Query{Limit: 100}},
		{"all-snapshots-subject", Query{Subject: "invoice renewal", AllSnapshots: true, Limit: 100}},
		{"snapshot-100", Query{Snapshot: "snap-1", Limit: 100}},
	} {
		b.Run(q.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				res, err := c.Find(context.Background(), q.q)
				if err != nil {
					b.Fatal(err)
				}
				n = len(res)
			}
			b.ReportMetric(float64(n), "results")
		})
	}
}

// BenchmarkIndexEmulator measures indexing from a real repository: one
// mailbox and OneDrive backed up from the emulator, then a full rebuild
// (every item read through dataguard.View) and an incremental index of a
// second, unchanged backup.
//
//	SG365_BENCH_MESSAGES=2000 go test ./internal/catalog -run XXX -bench IndexEmulator -benchtime 1x
func BenchmarkIndexEmulator(b *testing.B) {
	n := 1000
	if s := os.Getenv("SG365_BENCH_MESSAGES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	e := newEnv(b, m365sim.Options{Users: 1, Seed: 77, MessagesPerUser: n, FilesPerUser: n / 4})
	e.BackupAll()
	c := openCatalog(b, filepath.Join(b.TempDir(), "bench.db"))
	for b.Loop() {
		t0 := time.Now()
		res, err := c.Rebuild(testCtx(b), e.R)
		if err != nil {
			b.Fatal(err)
		}
		d := time.Since(t0)
		b.ReportMetric(float64(res.Items)/d.Seconds(), "items/s")
		b.ReportMetric(float64(res.Items), "items")
		e.BackupAll()
		t0 = time.Now()
		res, err = c.Index(testCtx(b), e.R)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Items)/time.Since(t0).Seconds(), "items/s-incr")
		b.ReportMetric(float64(dbSize(b, c))/float64(res.Items), "dbB/item")
	}
}
