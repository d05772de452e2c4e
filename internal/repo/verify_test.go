package repo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kopia/kopia/repo/object"
)

// packFile returns the file under the repository directory that holds the
// pack blob with the first chunk of the file at p in snapshot id.
func packFile(t *testing.T, env testEnv, r *Repository, id SnapshotID, p string) string {
	t.Helper()

	oid, err := object.ParseID(entryAt(t, r, id, p).ObjectID)
	if err != nil {
		t.Fatal(err)
	}

	cid, _, ok := oid.ContentID()
	if !ok {
		t.Fatalf("%s is not a single-content object", oid)
	}

	ci, err := r.kr.ContentInfo(t.Context(), cid)
	if err != nil {
		t.Fatal(err)
	}

	var found string

	// The filesystem backend shards blob IDs into directories and adds ".f".
	err = filepath.WalkDir(env.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}

		rel, _ := filepath.Rel(env.dir, path)
		if strings.TrimSuffix(strings.ReplaceAll(rel, string(filepath.Separator), ""), ".f") == string(ci.PackBlobID) {
			found = path
		}

		return nil
	})
	if err != nil || found == "" {
		t.Fatalf("pack %s not found on disk: %v", ci.PackBlobID, err)
	}

	return found
}

func corrupt(t *testing.T, path string) {
	t.Helper()

	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	for i := 64; i < len(b)-64; i += 512 {
		b[i] ^= 0xff
	}

	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// twoSessions writes two snapshots whose files land in two different packs.
func twoSessions(t *testing.T, r *Repository) (a, b SnapshotInfo, filesA, filesB map[string][]byte) {
	t.Helper()

	filesA, filesB = map[string][]byte{}, map[string][]byte{}
	for i := range 5 {
		filesA[fmt.Sprintf("mail/A/%d.eml", i)] = randomBytes(uint64(i), 20_000)
		filesB[fmt.Sprintf("mail/B/%d.eml", i)] = randomBytes(uint64(100+i), 20_000)
	}

	a = writeSnapshot(t, r, testSource, filesA, SnapshotOptions{})
	b = writeSnapshot(t, r, Source{Tenant: "t2", Workload: "exchange", Resource: "u2"}, filesB, SnapshotOptions{})

	return a, b, filesA, filesB
}

func TestVerifyClean(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)
	a, b, filesA, filesB := twoSessions(t, r)

	rep, err := r.Verify(t.Context(), VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}

	if !rep.OK() {
		t.Fatalf("clean repository has errors: %v", rep.Errors)
	}

	if rep.Snapshots != 2 || rep.Files != int64(len(filesA)+len(filesB)) || rep.Bytes != a.Bytes+b.Bytes || rep.Packs == 0 {
		t.Errorf("report = %+v, want 2 snapshots, %d files, %d bytes, some packs", rep, len(filesA)+len(filesB), a.Bytes+b.Bytes)
	}
}

func TestVerifySampling(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)

	files := map[string][]byte{}
	for i := range 200 {
		files[fmt.Sprintf("f/%03d", i)] = randomBytes(uint64(i), 100+i)
	}

	writeSnapshot(t, r, testSource, files, SnapshotOptions{})

	run := func(seed uint64) VerifyReport {
		rep, err := r.Verify(t.Context(), VerifyOptions{SamplePercent: 25, Seed: seed})
		if err != nil || !rep.OK() {
			t.Fatalf("Verify: %v, %v", err, rep.Errors)
		}

		return rep
	}

	a, again, other := run(1), run(1), run(2)

	if a.Files < 25 || a.Files > 75 || a.Checked != 200 {
		t.Errorf("25%% sample read %d of %d files, want about 50 of 200", a.Files, a.Checked)
	}

	if a.Files != again.Files || a.Bytes != again.Bytes {
		t.Errorf("same seed read %d/%d files/bytes, then %d/%d", a.Files, a.Bytes, again.Files, again.Bytes)
	}

	if a.Bytes == other.Bytes {
		t.Errorf("seeds 1 and 2 read exactly the same %d bytes; the seed has no effect", a.Bytes)
	}
}

func TestVerifyDetectsCorruption(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, pack string)
	}{
		{"flipped bytes", corrupt},
		{"deleted pack", func(t *testing.T, pack string) {
			if err := os.Remove(pack); err != nil {
				t.Fatal(err)
			}
		}},
		{"truncated pack", func(t *testing.T, pack string) {
			if err := os.Truncate(pack, 100); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t)
			r := env.open(t)
			a, b, filesA, filesB := twoSessions(t, r)

			tc.damage(t, packFile(t, env, r, a.ID, "mail/A/0.eml"))

			r2 := env.open(t) // nothing cached from before the damage

			rep, err := r2.Verify(t.Context(), VerifyOptions{})
			if err != nil {
				t.Fatalf("Verify failed instead of reporting: %v", err)
			}

			for _, e := range rep.Errors[:min(2, len(rep.Errors))] {
				t.Logf("reported: %v", e)
			}

			bad := map[string]bool{}
			for _, e := range rep.Errors {
				if !errors.Is(e, ErrDamaged) {
					t.Errorf("error %v does not wrap ErrDamaged", e)
				}

				if e.Path != "" {
					bad[e.Path] = true
					if e.Snapshot != a.ID {
						t.Errorf("error in unaffected snapshot: %v", e)
					}
				}
			}

			for p := range filesA {
				if !bad[p] {
					t.Errorf("no error reported for damaged %q; errors: %v", p, rep.Errors)
				}
			}

			if len(bad) != len(filesA) {
				t.Errorf("%d paths reported, want the %d in the damaged pack", len(bad), len(filesA))
			}

			// The other snapshot still reads back intact.
			equalTrees(t, readTree(t, r2, b.ID), filesB)
		})
	}
}
