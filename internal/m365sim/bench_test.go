package m365sim

import (
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// unthrottled returns limits with the per-mailbox and rate limits off, to
// measure the emulator itself.
func unthrottled() *limits.Config {
	cfg := limits.DefaultConfig()
	cfg.Outlook.Concurrency = 0
	cfg.Outlook.Requests.Limit = 0
	cfg.Outlook.Upload.Limit = 0
	cfg.Global.Limit = 0
	cfg.SharePoint.AppMinute.Limit, cfg.SharePoint.AppDay.Limit, cfg.SharePoint.Tenant.Limit = 0, 0, 0
	cfg.Identity.Small, cfg.Identity.Medium, cfg.Identity.Large = 0, 0, 0
	cfg.Identity.App.Limit = 0
	return &cfg
}

// addLargeFile puts a generated file of size bytes in the first user's
// OneDrive and returns its download path (the /content URL).
func addLargeFile(tb testing.TB, l *Listener, size int64) (uid, itemID string) {
	tb.Helper()
	t := l.Server.Tenant()
	t.Write(func() error {
		u := t.Users[0]
		it := &tenant.DriveItem{Name: "large.bin", Props: tenant.Props{"file": map[string]any{"mimeType": "application/octet-stream"}}}
		t.AddItem(u.Drive, u.Drive.Items[u.Drive.RootID], it)
		t.SetContent(u.Drive, it, tenant.Generated{Seed: 42, Len: size}, time.Now())
		uid, itemID = u.ID, it.ID
		return nil
	})
	return uid, itemID
}

// measureHeap samples the heap while fn runs and returns the peak growth.
func measureHeap(fn func()) (peak uint64) {
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var max atomic.Uint64
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > base.HeapInuse && m.HeapInuse-base.HeapInuse > max.Load() {
				max.Store(m.HeapInuse - base.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	return max.Load()
}

// TestLargeDownloadFlatMemory streams a 512 MiB generated file through the
// pre-authenticated download URL; the heap must not grow with the file.
// BenchmarkServeLargeFile does the same with 10 GB.
func TestLargeDownloadFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 512 MiB")
	}
	l := Start(t, Options{Users: 1, Seed: 1, MessagesPerUser: 1, FilesPerUser: 1})
	c := newClient(t, l)
	uid, id := addLargeFile(t, l, 512<<20)
	loc := c.do("GET", "/users/"+uid+"/drive/items/"+id+"/content", nil).header.Get("Location")
	var n int64
	peak := measureHeap(func() {
		resp, err := c.http.Get(loc)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		n, err = io.Copy(io.Discard, resp.Body)
		if err != nil {
			t.Fatal(err)
		}
	})
	if n != 512<<20 {
		t.Fatalf("downloaded %d bytes", n)
	}
	if peak > 32<<20 {
		t.Fatalf("heap grew by %d MiB while serving 512 MiB; it must stay flat", peak>>20)
	}
	t.Logf("heap growth while serving 512 MiB: %.1f MiB", float64(peak)/(1<<20))
}

// BenchmarkServeLargeFile serves one 10 GB generated file and reports the
// heap's peak growth, which must stay flat (a few MiB).
func BenchmarkServeLargeFile(b *testing.B) {
	l := Start(b, Options{Users: 1, Seed: 1, MessagesPerUser: 1, FilesPerUser: 1})
	c := newClient(b, l)
	const size = 10 << 30
	uid, id := addLargeFile(b, l, size)
	loc := c.do("GET", "/users/"+uid+"/drive/items/"+id+"/content", nil).header.Get("Location")
	b.SetBytes(size)
	b.ResetTimer()
	var peak uint64
	for range b.N {
		p := measureHeap(func() {
			resp, err := c.http.Get(loc)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		})
		peak = max(peak, p)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// BenchmarkSmallGET measures unthrottled throughput of small authenticated
// GETs (one message's JSON) over HTTPS with parallel clients.
func BenchmarkSmallGET(b *testing.B) {
	l := Start(b, Options{Users: 2, Seed: 1, MessagesPerUser: 20, FilesPerUser: 5, Limits: unthrottled()})
	c := newClient(b, l)
	uid := firstUserB(b, c)
	msgs, _ := c.all("/users/" + uid + "/messages?$select=id&$top=5")
	url := l.GraphURL + "/users/" + uid + "/messages/" + msgs[0]["id"].(string)
	hc := l.HTTPClient()
	hc.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Authorization", "Bearer "+c.token)
			resp, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// BenchmarkDownload1MB measures 1 MiB downloads from the download URL.
func BenchmarkDownload1MB(b *testing.B) {
	l := Start(b, Options{Users: 1, Seed: 1, MessagesPerUser: 1, FilesPerUser: 1, Limits: unthrottled()})
	c := newClient(b, l)
	uid, id := addLargeFile(b, l, 1<<20)
	loc := c.do("GET", "/users/"+uid+"/drive/items/"+id+"/content", nil).header.Get("Location")
	hc := l.HTTPClient()
	b.SetBytes(1 << 20)
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := hc.Get(loc)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}

func firstUserB(b *testing.B, c *client) string {
	users, _ := c.all("/users?$select=id")
	return users[0]["id"].(string)
}
