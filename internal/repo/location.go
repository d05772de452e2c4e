package repo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/kopia/kopia/repo/blob"
	"github.com/kopia/kopia/repo/blob/filesystem"
)

// Scheme names a storage backend in a repository URL.
type Scheme string

// Supported and planned schemes. Only SchemeFile is implemented; the others
// are recognised so that users get "not supported yet" rather than "unknown".
const (
	SchemeFile  Scheme = "file"
	SchemeS3    Scheme = "s3"
	SchemeAzure Scheme = "azure"
)

// Location is a parsed repository URL. The zero value is not usable; create
// it with ParseURL.
type Location struct {
	Scheme Scheme
	// Path is the absolute local directory for SchemeFile.
	Path string
}

// ParseURL parses a repository URL. Supported: file:///absolute/path
// (percent-encoding allowed, host empty or "localhost"). s3:// and azure://
// return an error wrapping ErrUnsupportedScheme until their backends land;
// each backend adds a case here and in Location.storage.
func ParseURL(raw string) (Location, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Location{}, fmt.Errorf("parse repository URL: %w", err)
	}

	switch Scheme(strings.ToLower(u.Scheme)) {
	case SchemeFile:
		return parseFileURL(u)
	case SchemeS3, SchemeAzure:
		return Location{}, fmt.Errorf("%w: %s:// is planned but not available yet (use file:///path)",
			ErrUnsupportedScheme, strings.ToLower(u.Scheme))
	case "":
		return Location{}, fmt.Errorf("%w: %q has no scheme (use file:///absolute/path)", ErrUnsupportedScheme, raw)
	default:
		return Location{}, fmt.Errorf("%w: unknown scheme %q (supported: file://)", ErrUnsupportedScheme, u.Scheme)
	}
}

func parseFileURL(u *url.URL) (Location, error) {
	if u.Host != "" && u.Host != "localhost" {
		return Location{}, fmt.Errorf("%w: file URL has host %q; use file:///absolute/path", ErrUnsupportedScheme, u.Host)
	}

	if u.Opaque != "" || !filepath.IsAbs(filepath.FromSlash(u.Path)) {
		return Location{}, fmt.Errorf("%w: file URL path must be absolute (file:///absolute/path)", ErrUnsupportedScheme)
	}

	if u.RawQuery != "" || u.Fragment != "" {
		return Location{}, fmt.Errorf("%w: file URL takes no query or fragment", ErrUnsupportedScheme)
	}

	return Location{Scheme: SchemeFile, Path: filepath.Clean(filepath.FromSlash(u.Path))}, nil
}

// String returns the canonical URL. It never contains credentials, so it is
// safe to print and to hash for the config file name.
func (l Location) String() string {
	switch l.Scheme {
	case SchemeFile:
		return (&url.URL{Scheme: string(SchemeFile), Path: filepath.ToSlash(l.Path)}).String()
	default:
		return string(l.Scheme) + "://"
	}
}

// storage opens the blob storage behind l. With create, a missing location
// is created first (Init only).
func (l Location) storage(ctx context.Context, create bool) (blob.Storage, error) {
	switch l.Scheme {
	case SchemeFile:
		if !create {
			if _, err := os.Stat(l.Path); errors.Is(err, fs.ErrNotExist) {
				return nil, ErrRepositoryNotFound
			}
		}

		st, err := filesystem.New(ctx, &filesystem.Options{Path: l.Path}, create)
		if err != nil {
			return nil, fmt.Errorf("open directory %s: %w", l.Path, err)
		}

		return st, nil
	default:
		return nil, fmt.Errorf("%w: %s", ErrUnsupportedScheme, l.Scheme)
	}
}

// isEmpty reports whether the location holds nothing at all, so Init never
// mixes a repository into someone else's files.
func (l Location) isEmpty() (bool, error) {
	switch l.Scheme {
	case SchemeFile:
		ents, err := os.ReadDir(l.Path)
		if errors.Is(err, fs.ErrNotExist) {
			return true, nil
		}

		if err != nil {
			return false, fmt.Errorf("read directory %s: %w", l.Path, err)
		}

		return len(ents) == 0, nil
	default:
		return false, fmt.Errorf("%w: %s", ErrUnsupportedScheme, l.Scheme)
	}
}
