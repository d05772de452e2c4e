package secret

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretNeverPrints(t *testing.T) {
	const value = "s3cr3t-value-Zq9"
	s := New(value)
	if s.Reveal() != value {
		t.Fatalf("Reveal = %q, want %q", s.Reveal(), value)
	}
	type wrapper struct {
		Name   string
		Secret Secret
	}
	var logBuf strings.Builder
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("msg", "secret", s)
	js, err := json.Marshal(wrapper{"x", s})
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%v":   fmt.Sprintf("%v", s),
		"%s":   fmt.Sprintf("%s", s),
		"%q":   fmt.Sprintf("%q", s),
		"%x":   fmt.Sprintf("%x", s),
		"%+v":  fmt.Sprintf("%+v", wrapper{"x", s}),
		"%#v":  fmt.Sprintf("%#v", wrapper{"x", s}),
		"json": string(js),
		"slog": logBuf.String(),
	}
	for name, out := range outputs {
		if strings.Contains(out, value) || strings.Contains(out, fmt.Sprintf("%x", value)) {
			t.Errorf("%s leaks the secret: %s", name, out)
		}
		if !strings.Contains(out, redacted) {
			t.Errorf("%s does not show %q: %s", name, redacted, out)
		}
	}
}

func TestFromFile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content, want string
		wantErr             error
	}{
		{"plain", "abc", "abc", nil},
		{"newline", "abc\n", "abc", nil},
		{"crlf", "abc\r\n", "abc", nil},
		{"inner-space-kept", " a b \n", " a b ", nil},
		{"empty", "", "", ErrEmpty},
		{"only-newline", "\n", "", ErrEmpty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			if err := os.WriteFile(p, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := FromFile(p)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if got.Reveal() != tc.want {
				t.Fatalf("got %q, want %q", got.Reveal(), tc.want)
			}
		})
	}
	if _, err := FromFile(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("missing file: want error")
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv("SG365_TEST_SECRET", "  v  ")
	if s, ok := FromEnv("SG365_TEST_SECRET"); !ok || s.Reveal() != "v" {
		t.Fatalf("FromEnv = %q, %v", s.Reveal(), ok)
	}
	t.Setenv("SG365_TEST_SECRET", "")
	if _, ok := FromEnv("SG365_TEST_SECRET"); ok {
		t.Fatal("empty variable reported as set")
	}
}
