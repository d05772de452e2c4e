package graph_test

import (
	"bytes"
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// TestEmulatorDriveDeltaPaging runs a drive delta round over several pages.
// A client follows @odata.nextLink verbatim until a page carries
// @odata.deltaLink (https://learn.microsoft.com/en-us/graph/api/driveitem-delta,
// https://learn.microsoft.com/en-us/graph/paging), so every nextLink the
// service hands out must be accepted by the service.
func TestEmulatorDriveDeltaPaging(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 1, Seed: 6, MessagesPerUser: -1, FilesPerUser: 12,
		Limits: scaledLimits(60)})
	c := newEmulatorClient(t, l, graph.Options{})
	ctx := testCtx(t, 30*time.Second)
	drive := driveOf(t, l, mailboxUsers(t, l)[0])
	want := liveDriveItems(l, drive)
	if len(want) <= 5 {
		t.Fatalf("drive has %d items; want more than a page of 5", len(want))
	}

	seen := map[string]int{}
	r := c.DriveDelta(ctx, drive, "", &graph.DriveDeltaOptions{PageSize: 5})
	for it, err := range r.All() {
		if err != nil {
			t.Fatalf("drive delta after %d items: %v", len(seen), err)
		}
		seen[it.ID]++
	}
	compareIDs(t, "drive delta", seen, want)
	if r.DeltaLink() == "" {
		t.Error("no deltaLink")
	}
}

// dropOnce wraps a transport and cuts the first full (200) response from the
// pre-authenticated download host after `after` bytes, as a dropped
// connection would. It records the Range headers sent to that host.
// The emulator's fault injector cannot do this: it never sees /_download/
// requests, and its truncation fault replaces the body rather than cutting
// the real one.
type dropOnce struct {
	base  http.RoundTripper
	after int64

	done   atomic.Bool
	mu     sync.Mutex
	ranges []string
}

func (d *dropOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.base.RoundTrip(r)
	if err != nil || !strings.HasPrefix(r.URL.Path, "/_download/") {
		return resp, err
	}
	d.mu.Lock()
	d.ranges = append(d.ranges, r.Header.Get("Range")+" "+r.Header.Get("If-Range"))
	d.mu.Unlock()
	if resp.StatusCode == http.StatusOK && d.after >= 0 && !d.done.Swap(true) {
		resp.Body = &cutBody{rc: resp.Body, left: d.after}
	}
	return resp, nil
}

func (d *dropOnce) seen() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.ranges...)
}

type cutBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *cutBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		b.rc.Close()
		return 0, io.ErrUnexpectedEOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cutBody) Close() error { return b.rc.Close() }

// heapPeak samples the heap every few milliseconds until stop is called and
// returns the largest growth of HeapAlloc over the baseline taken after a
// collection at the start.
func heapPeak() (stop func() uint64) {
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > base.HeapAlloc && m.HeapAlloc-base.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc - base.HeapAlloc)
			}
			select {
			case <-quit:
				return
			case <-tick.C:
			}
		}
	})
	return func() uint64 {
		close(quit)
		wg.Wait()
		return peak.Load()
	}
}

// TestEmulatorLargeDownload streams a large generated file through
// Client.Download and compares its SHA-256 with that of the generated
// content itself, while the heap must stay flat: memory may depend on
// concurrency, never on file size. The connection drops once part-way
// through, and the download must resume with a Range request.
func TestEmulatorLargeDownload(t *testing.T) {
	for _, tc := range []struct {
		name  string
		size  int64
		short bool // runs under -short
	}{
		{"256MiB", 256 << 20, true},
		{"2GiB", 2 << 30, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && !tc.short {
				t.Skip("2 GiB download skipped in -short mode")
			}
			l := m365sim.Start(t, m365sim.Options{Users: 1, Seed: 7, MessagesPerUser: -1, FilesPerUser: -1,
				Limits: scaledLimits(60)})
			user := mailboxUsers(t, l)[0]
			drive := driveOf(t, l, user)
			blob := tenant.Generated{Seed: 42, Len: tc.size}
			item := addGeneratedFile(t, l, user, "large.bin", blob)

			drop := &dropOnce{base: emulatorTransport(l), after: tc.size * 2 / 5}
			c := newEmulatorClient(t, l, graph.Options{Transport: drop})
			ctx := testCtx(t, 120*time.Second)

			start := time.Now()
			stop := heapPeak()
			rc, err := c.Download(ctx, drive, item, nil)
			if err != nil {
				stop()
				t.Fatalf("Download: %v", err)
			}
			h := sha256.New()
			n, err := io.CopyBuffer(h, rc, make([]byte, 256<<10))
			rc.Close()
			peak := stop()
			elapsed := time.Since(start)
			if err != nil {
				t.Fatalf("read after %d bytes: %v", n, err)
			}
			if n != tc.size {
				t.Fatalf("read %d bytes, want %d", n, tc.size)
			}

			want := sha256.New()
			if _, err := io.CopyBuffer(want, tenant.Reader(blob), make([]byte, 256<<10)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(h.Sum(nil), want.Sum(nil)) {
				t.Fatalf("downloaded content hashes to %x, the generated blob to %x", h.Sum(nil), want.Sum(nil))
			}

			ranges := drop.seen()
			resumeAt := tc.size * 2 / 5
			if len(ranges) != 2 || !strings.HasPrefix(ranges[1], "bytes="+strconv.FormatInt(resumeAt, 10)+"- ") || strings.HasSuffix(ranges[1], " ") {
				t.Errorf("requests to the download host (Range, If-Range): %q; want one full GET, then bytes=%d- with the ETag", ranges, resumeAt)
			}
			t.Logf("%d MiB in %v (%.0f MiB/s) with one resume; heap peak +%.1f MiB; client stats %+v",
				tc.size>>20, elapsed.Round(time.Millisecond), float64(tc.size>>20)/elapsed.Seconds(),
				float64(peak)/(1<<20), c.Stats())
			if peak > 32<<20 {
				t.Errorf("heap grew by %d MiB while streaming, want under 32 MiB", peak>>20)
			}
		})
	}
}

// TestEmulatorUploadRoundTrip uploads a file through an upload session in
// several fragments and another with one PUT, downloads both and compares
// the bytes; then creates a message from MIME and reads its MIME back.
func TestEmulatorUploadRoundTrip(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 1, Seed: 8, MessagesPerUser: -1, FilesPerUser: -1,
		Limits: scaledLimits(60)})
	// 960 KiB fragments (three 320 KiB units): a 3 MiB file takes four.
	c := newEmulatorClient(t, l, graph.Options{UploadFragmentSize: 1 << 20})
	ctx := testCtx(t, 30*time.Second)
	user := mailboxUsers(t, l)[0]
	drive := driveOf(t, l, user)
	rng := rand.New(rand.NewPCG(8, 8))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}

	for _, tc := range []struct {
		name   string
		data   []byte
		upload func(name string, data []byte) (*graph.DriveItem, error)
	}{
		{"large", random(3<<20 + 12345), func(name string, data []byte) (*graph.DriveItem, error) {
			return c.UploadLarge(ctx, drive, "root", name, bytes.NewReader(data), int64(len(data)), nil)
		}},
		{"small", random(100 << 10), func(name string, data []byte) (*graph.DriveItem, error) {
			return c.UploadSmall(ctx, drive, "root", name, bytes.NewReader(data), int64(len(data)), nil)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := c.Stats().BytesUp
			it, err := tc.upload(tc.name+".bin", tc.data)
			if err != nil {
				t.Fatalf("upload: %v", err)
			}
			if it.ID == "" || it.Size != int64(len(tc.data)) || it.File == nil {
				t.Fatalf("uploaded item %+v; want a file of %d bytes", it, len(tc.data))
			}
			if up := c.Stats().BytesUp - before; up < int64(len(tc.data)) {
				t.Errorf("client counted %d bytes up for a %d-byte file", up, len(tc.data))
			}
			rc, err := c.Download(ctx, drive, it.ID, nil)
			if err != nil {
				t.Fatalf("download: %v", err)
			}
			got, err := readAllClose(rc)
			if err != nil {
				t.Fatalf("read download: %v", err)
			}
			if !bytes.Equal(got, tc.data) {
				t.Fatalf("downloaded %d bytes differ from the %d uploaded", len(got), len(tc.data))
			}
		})
	}
	if n := endpointStatus(l.Stats(), "upload", http.StatusAccepted); n < 3 {
		t.Errorf("upload session took %d intermediate fragments (202), want at least 3", n)
	}

	t.Run("MIME", func(t *testing.T) {
		mime := strings.ReplaceAll(`From: Adele Vance <adele@contoso.test>
To: Megan Bowen <megan@contoso.test>
Subject: Quarterly numbers =?utf-8?q?=E2=9C=93?=
Date: Tue, 03 Jun 2025 10:00:00 +0000
Message-ID: <round-trip-1@contoso.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Numbers attached. Caf=C3=A9 at ten?
--b1
Content-Type: application/octet-stream; name="q.bin"
Content-Disposition: attachment; filename="q.bin"
Content-Transfer-Encoding: base64

AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
--b1--
`, "\n", "\r\n")
		m, err := c.CreateMessageMIME(ctx, user, "", strings.NewReader(mime))
		if err != nil {
			t.Fatalf("CreateMessageMIME: %v", err)
		}
		if m.ID == "" || !m.IsDraft || m.Subject != "Quarterly numbers ✓" {
			t.Errorf("created message id %q, draft %t, subject %q", m.ID, m.IsDraft, m.Subject)
		}
		rc, err := c.MessageMIME(ctx, user, m.ID)
		if err != nil {
			t.Fatalf("MessageMIME: %v", err)
		}
		got, err := readAllClose(rc)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != mime {
			t.Errorf("MIME read back differs from the MIME created:\n got %q\nwant %q", got, mime)
		}
	})
}
