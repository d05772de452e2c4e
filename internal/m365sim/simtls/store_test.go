package simtls

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestSaveLoadKeepsCA(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	ca := newTestCA(t)
	if err := ca.Save(dir); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		for name, want := range map[string]fs.FileMode{KeyFile: 0o600, CertFile: 0o644} {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("%s mode %#o, want %#o", name, got, want)
			}
		}
	}
	loaded, err := Load(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(loaded.Certificate().Raw, ca.Certificate().Raw) {
		t.Fatal("loaded a different ca certificate")
	}
	// A leaf from the reloaded CA is trusted by clients of the original.
	leaf, err := loaded.Leaf("localhost")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Leaf.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: ca.Pool()}); err != nil {
		t.Fatalf("leaf from reloaded ca: %v", err)
	}
}

func TestLoadOrCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "ca")
	first, created, err := LoadOrCreate(dir, nil)
	if err != nil || !created {
		t.Fatalf("first call: created=%v err=%v, want a new ca", created, err)
	}
	second, created, err := LoadOrCreate(dir, nil)
	if err != nil || created {
		t.Fatalf("second call: created=%v err=%v, want the saved ca", created, err)
	}
	if !bytes.Equal(first.CertPEM(), second.CertPEM()) {
		t.Fatal("restart changed the ca")
	}
}

func TestLoadRefuses(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name     string
		prepare  func(t *testing.T, dir string)
		want     string
		notExist bool // want fs.ErrNotExist
	}{
		{"missing dir", func(*testing.T, string) {}, "", true},
		{"readable key", func(t *testing.T, dir string) {
			if runtime.GOOS == "windows" {
				t.Skip("no unix permission bits")
			}
			if err := os.Chmod(filepath.Join(dir, KeyFile), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "chmod 600", false},
		{"expired", func(t *testing.T, dir string) {}, "expired", false},
		{"key of another ca", func(t *testing.T, dir string) {
			other := newTestCA(t)
			if err := os.WriteFile(filepath.Join(dir, CertFile), other.CertPEM(), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "does not match", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ca")
			if !tc.notExist {
				ca, err := NewCA(fixedClock(now))
				if err != nil {
					t.Fatal(err)
				}
				if err := ca.Save(dir); err != nil {
					t.Fatal(err)
				}
			}
			tc.prepare(t, dir)
			clock := fixedClock(now)
			if tc.name == "expired" {
				clock = fixedClock(now.Add(11 * 365 * 24 * time.Hour))
			}
			_, err := Load(dir, clock)
			switch {
			case tc.notExist && !errors.Is(err, fs.ErrNotExist):
				t.Fatalf("got %v, want fs.ErrNotExist", err)
			case !tc.notExist && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want error containing %q", err, tc.want)
			}
		})
	}
}

func TestLoadOrCreateKeepsHalfACA(t *testing.T) {
	for _, keep := range []string{CertFile, KeyFile} {
		t.Run(keep, func(t *testing.T) {
			dir := t.TempDir()
			if err := newTestCA(t).Save(dir); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{CertFile, KeyFile} {
				if name != keep {
					if err := os.Remove(filepath.Join(dir, name)); err != nil {
						t.Fatal(err)
					}
				}
			}
			before, err := os.ReadFile(filepath.Join(dir, keep))
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := LoadOrCreate(dir, nil); err == nil {
				t.Fatalf("created a new ca over a lone %s", keep)
			}
			after, err := os.ReadFile(filepath.Join(dir, keep))
			if err != nil || !bytes.Equal(before, after) {
				t.Fatalf("%s was changed (err=%v)", keep, err)
			}
		})
	}
}

func TestWriteCAFile(t *testing.T) {
	ca := newTestCA(t)
	path := filepath.Join(t.TempDir(), "sim-ca.pem")
	if err := ca.WriteCAFile(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, rest := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" || len(bytes.TrimSpace(rest)) != 0 {
		t.Fatalf("ca file is not exactly one PEM certificate: %q", b)
	}
	if !bytes.Equal(block.Bytes, ca.Certificate().Raw) {
		t.Fatal("ca file holds another certificate")
	}
	if bytes.Contains(b, []byte("PRIVATE KEY")) {
		t.Fatal("ca file leaks the private key")
	}
}
