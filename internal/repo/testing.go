package repo

import (
	"context"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/safeguard365/safeguard365/internal/secret"
)

// TestPassword is the password of repositories made by TestRepository.
const TestPassword = "test-password-not-secret"

// TestRepository creates a repository in a temporary directory, opens it and
// closes it when the test ends. Its connection files live in another
// temporary directory, so tests never touch the user's cache.
func TestRepository(tb testing.TB) *Repository {
	tb.Helper()

	u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(tb.TempDir(), "repo"))}).String()
	opts := OpenOptions{ConfigDir: tb.TempDir(), Hostname: "test"}

	if err := Init(tb.Context(), u, secret.New(TestPassword), InitOptions{OpenOptions: opts}); err != nil {
		tb.Fatalf("init test repository: %v", err)
	}

	r, err := Open(tb.Context(), u, secret.New(TestPassword), opts)
	if err != nil {
		tb.Fatalf("open test repository: %v", err)
	}

	// tb.Context is already cancelled when cleanups run.
	tb.Cleanup(func() { _ = r.Close(context.Background()) })

	return r
}
