package repo

import (
	"errors"
	"fmt"

	kopiarepo "github.com/kopia/kopia/repo"
	"github.com/kopia/kopia/repo/content"
	"github.com/kopia/kopia/repo/manifest"
	"github.com/kopia/kopia/repo/object"
	"github.com/kopia/kopia/snapshot"
)

// Sentinel errors. Methods wrap them with the operation and its subject, so
// callers test with errors.Is and show err.Error() to people as it is.
var (
	// ErrRepositoryNotFound means the URL holds no repository.
	ErrRepositoryNotFound = errors.New("no repository at this location (create one with `sg365 repo init`)")
	// ErrAlreadyExists means Init found a repository at the URL; it changed nothing.
	ErrAlreadyExists = errors.New("a repository already exists at this location")
	// ErrNotEmpty means Init was pointed at a non-empty directory that holds no repository.
	ErrNotEmpty = errors.New("location is not empty and holds no repository; choose an empty or new directory")
	// ErrWrongPassword means the password does not decrypt the repository; nothing was changed.
	ErrWrongPassword = errors.New("wrong repository password")
	// ErrEmptyPassword is returned by Init and Open for an empty password.
	ErrEmptyPassword = errors.New("repository password is empty")
	// ErrUnsupportedScheme is returned for a URL whose scheme this build cannot open.
	ErrUnsupportedScheme = errors.New("unsupported repository URL")
	// ErrSnapshotNotFound means no snapshot has the given ID.
	ErrSnapshotNotFound = errors.New("snapshot not found")
	// ErrPathNotFound means a snapshot has no entry at the given path.
	ErrPathNotFound = errors.New("path not found in snapshot")
	// ErrInvalidPath is returned for paths with empty, ".", ".." or non-UTF-8 elements.
	ErrInvalidPath = errors.New("invalid path")
	// ErrPathConflict means a path is used both as a file and as a directory.
	ErrPathConflict = errors.New("path conflicts with an existing entry")
	// ErrWriterClosed is returned by SnapshotWriter methods after Commit or Abort.
	ErrWriterClosed = errors.New("snapshot writer is closed")
	// ErrDamaged means data the repository refers to is missing or fails its
	// integrity check. Verify reports it per path.
	ErrDamaged = errors.New("repository data is missing or damaged")
	// ErrNotMaintenanceOwner means another client owns maintenance; see ClaimMaintenance.
	ErrNotMaintenanceOwner = errors.New("repository maintenance is owned by another client")
)

// translate maps kopia's sentinel errors to ours. It is the one place where
// kopia's error values are inspected; unknown errors pass through unchanged.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, kopiarepo.ErrInvalidPassword):
		return ErrWrongPassword
	case errors.Is(err, kopiarepo.ErrRepositoryNotInitialized):
		return ErrRepositoryNotFound
	case errors.Is(err, kopiarepo.ErrAlreadyInitialized):
		return ErrAlreadyExists
	case errors.Is(err, snapshot.ErrSnapshotNotFound), errors.Is(err, manifest.ErrNotFound):
		return ErrSnapshotNotFound
	case errors.Is(err, object.ErrObjectNotFound), errors.Is(err, content.ErrContentNotFound):
		// kopia's message names the object; keep it, and make the class testable.
		return fmt.Errorf("%w: %w", ErrDamaged, err)
	}

	return err
}
