package repo

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kopia/kopia/repo/compression"
	"github.com/kopia/kopia/repo/object"

	"github.com/safeguard365/safeguard365/internal/secret"
)

// dirDigest fingerprints every file under dir (path, size, mode, content), so
// tests can assert that an operation touched nothing.
func dirDigest(t *testing.T, dir string) string {
	t.Helper()

	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}

		fi, err := d.Info()
		if err != nil {
			return err
		}

		h.Write([]byte(p + "|" + fi.Mode().String() + "\n"))
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}

			h.Write(b)
		}

		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("walk %s: %v", dir, err)
	}

	return string(h.Sum(nil))
}

func TestInitAndOpen(t *testing.T) {
	t.Parallel()

	env := newTestEnv(t)
	r := env.open(t)

	info := writeSnapshot(t, r, testSource, map[string][]byte{"a.txt": []byte("hello")}, SnapshotOptions{})

	// A second client, with a fresh config directory, sees the same data.
	other := env
	other.opts.ConfigDir = t.TempDir()
	r2 := other.open(t)

	if got := readFile(t, r2, info.ID, "a.txt"); string(got) != "hello" {
		t.Errorf("read back %q", got)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()

	env := newTestEnv(t)

	emptyDir, foreignDir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(foreignDir, "notes.txt"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name     string
		url      string
		dir      string // must stay unchanged
		password string
		want     error
	}{
		{"wrong password", env.url, env.dir, "not-the-password", ErrWrongPassword},
		{"empty password", env.url, env.dir, "", ErrEmptyPassword},
		{"missing directory", "file://" + filepath.ToSlash(filepath.Join(t.TempDir(), "nope")), "", TestPassword, ErrRepositoryNotFound},
		{"empty directory", "file://" + filepath.ToSlash(emptyDir), emptyDir, TestPassword, ErrRepositoryNotFound},
		{"foreign directory", "file://" + filepath.ToSlash(foreignDir), foreignDir, TestPassword, ErrRepositoryNotFound},
		{"unknown scheme", "ftp://host/x", "", TestPassword, ErrUnsupportedScheme},
		{"s3 not yet", "s3://bucket/x", "", TestPassword, ErrUnsupportedScheme},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfgDir := t.TempDir()
			before := dirDigest(t, tc.dir)

			_, err := Open(t.Context(), tc.url, secret.New(tc.password), OpenOptions{ConfigDir: cfgDir, Hostname: "test"})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open error = %v, want %v", err, tc.want)
			}

			if errors.Is(err, ErrRepositoryNotFound) && !strings.Contains(err.Error(), "sg365 repo init") {
				t.Errorf("error %q does not tell the user to run sg365 repo init", err)
			}

			if tc.dir != "" && dirDigest(t, tc.dir) != before {
				t.Errorf("%s changed", tc.dir)
			}

			if ents, _ := os.ReadDir(cfgDir); len(ents) != 0 {
				t.Errorf("config directory holds %d entries after a failed open", len(ents))
			}
		})
	}
}

func TestWrongPasswordWithExistingConfig(t *testing.T) {
	t.Parallel()

	env := newTestEnv(t) // Init leaves a connection file in env.opts.ConfigDir
	before := dirDigest(t, env.dir)

	_, err := Open(t.Context(), env.url, secret.New("wrong"), env.opts)
	if !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("Open error = %v, want ErrWrongPassword", err)
	}

	if dirDigest(t, env.dir) != before {
		t.Error("repository directory changed")
	}

	env.open(t) // the right password still works
}

func TestInitRefuses(t *testing.T) {
	t.Parallel()

	env := newTestEnv(t)

	notEmpty := t.TempDir()
	if err := os.WriteFile(filepath.Join(notEmpty, "photo.jpg"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, url, dir string
		password       string
		want           error
	}{
		{"existing repository", env.url, env.dir, TestPassword, ErrAlreadyExists},
		{"existing repository, other password", env.url, env.dir, "other", ErrAlreadyExists},
		{"foreign files", "file://" + filepath.ToSlash(notEmpty), notEmpty, TestPassword, ErrNotEmpty},
		{"empty password", "file://" + filepath.ToSlash(filepath.Join(t.TempDir(), "new")), "", "", ErrEmptyPassword},
		{"azure not yet", "azure://container", "", TestPassword, ErrUnsupportedScheme},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := dirDigest(t, tc.dir)

			err := Init(t.Context(), tc.url, secret.New(tc.password), InitOptions{OpenOptions: OpenOptions{ConfigDir: t.TempDir()}})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Init error = %v, want %v", err, tc.want)
			}

			if tc.dir != "" && dirDigest(t, tc.dir) != before {
				t.Error("directory changed")
			}
		})
	}
}

func TestConfigFileIsPrivateAndHoldsNoPassword(t *testing.T) {
	t.Parallel()

	env := newTestEnv(t)
	r := env.open(t)
	writeSnapshot(t, r, testSource, map[string][]byte{"x": []byte("y")}, SnapshotOptions{})

	var configs int

	for _, dir := range []string{env.opts.ConfigDir, env.dir} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}

			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}

			if bytes.Contains(b, []byte(TestPassword)) {
				t.Errorf("%s contains the password in clear text", p)
			}

			if strings.HasSuffix(p, ".config") {
				configs++

				if fi, _ := d.Info(); fi.Mode().Perm() != 0o600 {
					t.Errorf("%s has mode %v, want 0600", p, fi.Mode().Perm())
				}
			}

			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	if configs != 1 {
		t.Errorf("found %d connection files, want 1 (one per repository URL)", configs)
	}
}

func TestOpenReconnectsWithoutConfig(t *testing.T) {
	t.Parallel()

	env := newTestEnv(t)

	if err := os.RemoveAll(env.opts.ConfigDir); err != nil {
		t.Fatal(err)
	}

	env.open(t)
}

func TestRepositoryFormat(t *testing.T) {
	t.Parallel()

	r := TestRepository(t)

	cf := r.kr.ContentReader().ContentFormat()
	if got := cf.GetEncryptionAlgorithm(); got != "AES256-GCM-HMAC-SHA256" {
		t.Errorf("encryption = %q, want AES-256-GCM", got)
	}

	if got := r.kr.ObjectFormat().Splitter; got != splitter {
		t.Errorf("splitter = %q, want %q", got, splitter)
	}

	mp, err := r.kr.FormatManager().GetMutableParameters(t.Context())
	if err != nil || mp.MaxPackSize != maxPackSize {
		t.Errorf("max pack size = %d (%v), want %d", mp.MaxPackSize, err, maxPackSize)
	}

	info := writeSnapshot(t, r, testSource, map[string][]byte{"a.json": bytes.Repeat([]byte(`{"k":"v"}`), 1000)}, SnapshotOptions{})

	oid, err := object.ParseID(entryAt(t, r, info.ID, "a.json").ObjectID)
	if err != nil {
		t.Fatal(err)
	}

	cid, _, _ := oid.ContentID()

	ci, err := r.kr.ContentInfo(t.Context(), cid)
	if err != nil {
		t.Fatal(err)
	}

	if ci.CompressionHeaderID != compression.ByName[compressor].HeaderID() {
		t.Errorf("content compressed with header %x, want %s", ci.CompressionHeaderID, compressor)
	}
}
