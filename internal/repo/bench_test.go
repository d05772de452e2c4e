package repo

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"golang.org/x/sync/errgroup"
)

// BenchmarkWriteFile streams unique, incompressible 1 MiB files (the worst
// case: nothing dedups or compresses) into one snapshot and commits it.
func BenchmarkWriteFile(b *testing.B) {
	for _, workers := range []int{1, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			r := TestRepository(b)
			ctx := b.Context()

			w, err := r.NewSnapshot(ctx, testSource, SnapshotOptions{})
			if err != nil {
				b.Fatal(err)
			}
			defer w.Abort()

			rng := rand.NewChaCha8([32]byte{byte(workers)})
			bufs := make([][]byte, 64)
			for i := range bufs {
				bufs[i] = make([]byte, 1<<20)
			}

			b.SetBytes(1 << 20)
			b.ResetTimer()

			for i := 0; i < b.N; i += len(bufs) {
				b.StopTimer()
				n := min(len(bufs), b.N-i)
				for _, buf := range bufs[:n] {
					_, _ = rng.Read(buf)
				}
				b.StartTimer()

				g, gctx := errgroup.WithContext(ctx)
				g.SetLimit(workers)

				for j, buf := range bufs[:n] {
					g.Go(func() error {
						return w.WriteFile(gctx, fmt.Sprintf("drive/%d/%d.bin", i/1000, i+j), bytes.NewReader(buf), testT0)
					})
				}

				if err := g.Wait(); err != nil {
					b.Fatal(err)
				}
			}

			if _, err := w.Commit(ctx); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkCarryOver carries a 10,000-item mailbox (100 folders) over from
// the previous snapshot, item by item and as one tree, including Commit.
func BenchmarkCarryOver(b *testing.B) {
	const folders, perFolder = 100, 100

	r := TestRepository(b)
	ctx := b.Context()

	w, err := r.NewSnapshot(ctx, testSource, SnapshotOptions{})
	if err != nil {
		b.Fatal(err)
	}

	var paths []string
	for f := range folders {
		for i := range perFolder {
			p := fmt.Sprintf("mail/Folder %03d/AAMkAGI2TG93AAA=%05d.eml", f, i)
			paths = append(paths, p)

			if err := w.WriteFile(ctx, p, bytes.NewReader([]byte(p)), testT0); err != nil {
				b.Fatal(err)
			}
		}
	}

	prev, err := w.Commit(ctx)
	if err != nil {
		b.Fatal(err)
	}

	for _, tc := range []struct {
		name  string
		carry func(w *SnapshotWriter) error
	}{
		{"items", func(w *SnapshotWriter) error {
			for _, p := range paths {
				if ok, err := w.CarryOver(ctx, p); err != nil || !ok {
					return fmt.Errorf("CarryOver(%q) = %v, %w", p, ok, err)
				}
			}

			return nil
		}},
		{"tree", func(w *SnapshotWriter) error {
			_, err := w.CarryOverTree(ctx, "")
			return err
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				w, err := r.NewSnapshot(ctx, testSource, SnapshotOptions{Previous: &prev.ID})
				if err != nil {
					b.Fatal(err)
				}

				if err := tc.carry(w); err != nil {
					b.Fatal(err)
				}

				if _, err := w.Commit(ctx); err != nil {
					b.Fatal(err)
				}
			}

			b.ReportMetric(float64(len(paths)*b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}
