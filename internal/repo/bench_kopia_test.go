package repo

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/kopia/kopia/fs/localfs"
	kopiarepo "github.com/kopia/kopia/repo"
	"github.com/kopia/kopia/repo/compression"
	"github.com/kopia/kopia/snapshot"
	"github.com/kopia/kopia/snapshot/policy"
	"github.com/kopia/kopia/snapshot/upload"
	"golang.org/x/sync/errgroup"
)

// BenchmarkIngestVsKopia stores the same directory of files (mail-like
// text, incompressible binaries, and attachments repeated across
// "mailboxes"; SG365_BENCH_CORPUS_MB, default 256 MiB) twice: through our
// snapshot writer, as a backup does, and through kopia's own uploader, as
// `kopia snapshot create DIR` does, with the same compressor and splitter.
// Both read the files from the page cache and use one worker per CPU.
// scripts/bench prints the ratio of the two MB/s (target ≥ 0.8).
func BenchmarkIngestVsKopia(b *testing.B) {
	dir := b.TempDir()
	total := writeCorpus(b, dir)

	b.Run("sg365", func(b *testing.B) {
		b.SetBytes(total)
		for range b.N {
			b.StopTimer()
			r := TestRepository(b)
			b.StartTimer()
			ingestOurs(b, r, dir)
		}
	})
	b.Run("kopia", func(b *testing.B) {
		b.SetBytes(total)
		for range b.N {
			b.StopTimer()
			r := TestRepository(b)
			b.StartTimer()
			ingestKopia(b, r, dir)
		}
	})
}

func ingestOurs(b *testing.B, r *Repository, dir string) {
	ctx := b.Context()
	w, err := r.NewSnapshot(ctx, testSource, SnapshotOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Abort()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.NumCPU())
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		g.Go(func() error {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			return w.WriteFile(gctx, filepath.ToSlash(rel), f, testT0)
		})
		return nil
	})
	if werr := g.Wait(); werr != nil || err != nil {
		b.Fatal(werr, err)
	}
	if _, err := w.Commit(ctx); err != nil {
		b.Fatal(err)
	}
}

func ingestKopia(b *testing.B, r *Repository, dir string) {
	ctx := b.Context()
	err := kopiarepo.WriteSession(ctx, r.kr, kopiarepo.WriteSessionOptions{Purpose: "bench"},
		func(ctx context.Context, w kopiarepo.RepositoryWriter) error {
			pol := *policy.DefaultPolicy
			pol.CompressionPolicy.CompressorName = compression.Name(compressor)
			pol.MetadataCompressionPolicy.CompressorName = compression.Name(compressor)
			ent, err := localfs.Directory(dir)
			if err != nil {
				return err
			}
			man, err := upload.NewUploader(w).Upload(ctx, ent, policy.BuildTree(nil, &pol),
				snapshot.SourceInfo{Host: "bench", UserName: "bench", Path: dir})
			if err != nil {
				return err
			}
			_, err = snapshot.SaveSnapshot(ctx, w, man)
			return err
		})
	if err != nil {
		b.Fatal(err)
	}
}

// writeCorpus fills dir and returns its size in bytes.
func writeCorpus(b *testing.B, dir string) int64 {
	want := int64(256)
	if v := os.Getenv("SG365_BENCH_CORPUS_MB"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			b.Fatalf("SG365_BENCH_CORPUS_MB=%q: want a positive integer", v)
		}
		want = n
	}
	want <<= 20
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("the meeting budget project review quarterly invoice please find attached regards " +
		"schedule customer contract update team deadline report analysis proposal")
	attachments := make([][]byte, 20)
	for i := range attachments {
		attachments[i] = make([]byte, 64<<10+rng.IntN(2<<20))
		fillRandom(rng, attachments[i])
	}
	var total int64
	for i := 0; total < want; i++ {
		var data []byte
		switch i % 4 {
		case 0, 1: // a mail: text, sometimes with a shared attachment
			var sb strings.Builder
			for sb.Len() < 2<<10+rng.IntN(60<<10) {
				sb.WriteString(words[rng.IntN(len(words))])
				sb.WriteByte(' ')
			}
			data = []byte(sb.String())
			if rng.IntN(3) == 0 {
				data = append(data, attachments[rng.IntN(len(attachments))]...)
			}
		case 2: // a photo or zip: incompressible
			data = make([]byte, 16<<10+rng.IntN(4<<20))
			fillRandom(rng, data)
		case 3: // an attachment another mailbox holds too
			data = attachments[rng.IntN(len(attachments))]
		}
		p := filepath.Join(dir, fmt.Sprintf("box%02d", i%16), fmt.Sprintf("%06d.bin", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
		total += int64(len(data))
	}
	return total
}

func fillRandom(rng *rand.Rand, p []byte) {
	for i := 0; i+8 <= len(p); i += 8 {
		v := rng.Uint64()
		for j := range 8 {
			p[i+j] = byte(v >> (8 * j))
		}
	}
}
