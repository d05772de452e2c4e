package export

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestSanitizeName(t *testing.T) {
	long := strings.Repeat("Ünïcødé 😀 ", 40) // 600+ bytes
	for _, tc := range []struct{ in, want string }{
		{"Re: budget/Q3 <draft>?.eml", "Re_ budget_Q3 _draft__.eml"},
		{"", "_"}, {".", "_"}, {"..", "_"}, {"   ", "_"}, {"name. ", "name"},
		{"CON", "_CON"}, {"nul.txt", "_nul.txt"}, {"a\x00b\tc\nd", "a_b_c_d"},
		{"😀 party 🎉", "😀 party 🎉"}, {"bad \xff utf8", "bad \uFFFD utf8"},
	} {
		if got := SanitizeName(tc.in); got != tc.want {
			t.Errorf("SanitizeName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	got := SanitizeName(long + ".eml")
	if len(got) > MaxNameBytes || !strings.HasSuffix(got, ".eml") || !utf8.ValidString(got) {
		t.Errorf("long name: %d bytes %q", len(got), got)
	}
}

func FuzzSanitizeName(f *testing.F) {
	for _, s := range []string{"Re: x", "a/b\\c", "..", "CON.txt", strings.Repeat("é", 200) + ".eml", "x. . .", "\xff\xfe",
		strings.Repeat("😀", 70), strings.Repeat(".", 300) + "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SanitizeName(s)
		switch {
		case got == "" || got == "." || got == "..":
			t.Fatalf("SanitizeName(%q) = %q", s, got)
		case len(got) > MaxNameBytes:
			t.Fatalf("SanitizeName(%q) is %d bytes", s, len(got))
		case !utf8.ValidString(got):
			t.Fatalf("SanitizeName(%q) = %q is not UTF-8", s, got)
		case strings.ContainsAny(got, "/\\:*?\"<>|\x00"):
			t.Fatalf("SanitizeName(%q) = %q keeps a forbidden character", s, got)
		case strings.HasSuffix(got, ".") || strings.HasSuffix(got, " "):
			t.Fatalf("SanitizeName(%q) = %q ends with a dot or space", s, got)
		case SanitizeName(got) != got:
			t.Fatalf("SanitizeName is not idempotent: %q -> %q -> %q", s, got, SanitizeName(got))
		}
		// Unique names stay within the limit too.
		n := newNamer()
		for range 3 {
			if u := n.name("d", got, ""); len(u) > MaxNameBytes || !utf8.ValidString(u) {
				t.Fatalf("unique name %q: %d bytes", u, len(u))
			}
		}
	})
}

// TestDirSinkDeepAwkwardPaths writes a file below 20 directories of
// 250-byte names full of emoji, colons and slashes: 5,000 bytes of path,
// more than Linux's PATH_MAX.
func TestDirSinkDeepAwkwardPaths(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	s, err := NewDirSink(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	n := newNamer()
	p := ""
	for i := range 20 {
		p = n.join(p, strings.Repeat("a/b:c 😀 ", 40)+string(rune('A'+i)), "")
	}
	file := n.join(p, strings.Repeat("Re: ", 100)+"€.eml", ".eml")
	if len(file) < 4096 {
		t.Fatalf("path only %d bytes", len(file))
	}
	mtime := time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)
	w, err := s.Create(file, mtime)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "hello")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(nil); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	fi, err := root.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != 5 || !fi.ModTime().Equal(mtime) {
		t.Fatalf("file: %d bytes, %v", fi.Size(), fi.ModTime())
	}
	for _, e := range strings.Split(file, "/") {
		if len(e) > MaxNameBytes {
			t.Fatalf("element of %d bytes", len(e))
		}
	}
	// A second sink refuses the non-empty directory; a file exists too.
	if _, err := NewDirSink(dir, false); err == nil {
		t.Fatal("non-empty directory accepted")
	}
	s2, err := NewDirSink(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close(nil)
	if w, err := s2.Create(file, time.Time{}); err != nil {
		t.Fatalf("--force: %v", err)
	} else {
		w.Close()
	}
}
