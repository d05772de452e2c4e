package repo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	kopiarepo "github.com/kopia/kopia/repo"
	"github.com/kopia/kopia/repo/blob"
	"github.com/kopia/kopia/repo/blob/sharded"
	"github.com/kopia/kopia/repo/format"
	"github.com/kopia/kopia/repo/maintenance"

	"github.com/safeguard365/safeguard365/internal/secret"
)

// clientUsername is the user half of our kopia client identity
// ("sg365@<hostname>"), which kopia uses for session blobs and for the
// maintenance owner.
const clientUsername = "sg365"

// OpenOptions configure Open. The zero value is usable.
type OpenOptions struct {
	// ConfigDir holds kopia's per-repository connection files, one per
	// repository URL (named by a hash of the URL, mode 0600). They hold the
	// storage location and client identity, never the password. Default:
	// os.UserCacheDir()/sg365/repos. Deleting it is harmless: Open reconnects.
	ConfigDir string
	// Hostname is the host half of the client identity "sg365@<Hostname>"
	// that owns maintenance. Default: the short, lower-case os.Hostname().
	Hostname string
	// Now stamps snapshot start and end times. Default: time.Now.
	Now func() time.Time
}

// InitOptions configure Init. The embedded OpenOptions are used to connect
// once after creation, to make this client the maintenance owner.
type InitOptions struct {
	OpenOptions
}

// Repository is an open kopia repository. It is safe for concurrent use;
// several SnapshotWriters may be open at once. Close it when done.
type Repository struct {
	loc    Location
	kr     kopiarepo.DirectRepository
	now    func() time.Time
	safety maintenance.SafetyParameters // tests lower it; see Maintenance
	dirs   *dirCache                    // parsed directories for path lookups
}

func (o OpenOptions) withDefaults() (OpenOptions, error) {
	if o.ConfigDir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return o, fmt.Errorf("find cache directory for repository config: %w", err)
		}

		o.ConfigDir = filepath.Join(base, "sg365", "repos")
	}

	if o.Hostname == "" {
		h, err := os.Hostname()
		if err != nil {
			return o, fmt.Errorf("find hostname: %w", err)
		}

		o.Hostname = strings.ToLower(strings.Split(h, ".")[0])
	}

	if o.Now == nil {
		o.Now = time.Now
	}

	return o, nil
}

func (o OpenOptions) clientOptions() kopiarepo.ClientOptions {
	return kopiarepo.ClientOptions{Username: clientUsername, Hostname: o.Hostname, Description: "sg365"}
}

// configFile names the connection file for loc: a hash of the canonical URL,
// so two URLs never share one and the file name leaks nothing about the URL.
func (o OpenOptions) configFile(loc Location) string {
	sum := sha256.Sum256([]byte(loc.String()))
	return filepath.Join(o.ConfigDir, hex.EncodeToString(sum[:12])+".config")
}

// Init creates a new repository at url, encrypted with password (AES-256-GCM,
// kopia's default), and makes this client its maintenance owner. If url
// already holds a repository it returns ErrAlreadyExists, and a non-empty
// directory gives ErrNotEmpty; in both cases nothing is written.
func Init(ctx context.Context, rawURL string, password secret.Secret, opts InitOptions) error {
	loc, err := ParseURL(rawURL)
	if err != nil {
		return err
	}

	if password.IsZero() {
		return fmt.Errorf("init %s: %w", loc, ErrEmptyPassword)
	}

	if err := refuseExisting(ctx, loc); err != nil {
		return fmt.Errorf("init %s: %w", loc, err)
	}

	st, err := loc.storage(ctx, true)
	if err != nil {
		return fmt.Errorf("init %s: %w", loc, err)
	}
	defer st.Close(ctx) //nolint:errcheck // nothing buffered; Initialize reports write errors

	if err := kopiarepo.Initialize(ctx, st, newRepositoryOptions(), password.Reveal()); err != nil {
		return fmt.Errorf("init %s: %w", loc, translate(err))
	}

	r, err := Open(ctx, rawURL, password, opts.OpenOptions)
	if err != nil {
		return fmt.Errorf("init %s: open new repository: %w", loc, err)
	}

	claimErr := r.ClaimMaintenance(ctx)
	if err := errors.Join(claimErr, r.Close(ctx)); err != nil {
		return fmt.Errorf("init %s: %w", loc, err)
	}

	return nil
}

// Repository format choices that differ from kopia's defaults. Both bound
// the memory a streaming write holds, which is dominated by kopia's buffers:
// one chunk in each of its read, compress and encrypt stages, plus the pack
// being filled and the one being uploaded, plus zstd's 16 MiB window. Heap
// growth streaming 512 MiB on our 2-core machine (TestWriteFileMemoryIsFlat's
// method): kopia's defaults (4 MiB chunks, 20 MiB packs) 71-86 MiB; these
// 48-58 MiB, at the same throughput.
const (
	// splitter cuts files into content-defined chunks of 1 MiB on average
	// (restic's size too): smaller buffers, and finer dedup of the
	// attachments that recur inside many MIME messages.
	splitter = "DYNAMIC-1M-BUZHASH"
	// maxPackSize is restic's pack size; still large enough to keep object
	// store requests few once s3:// lands.
	maxPackSize = 16 << 20
)

// newRepositoryOptions keeps kopia's defaults for everything else: BLAKE2B-256-128
// content hashes and AES256-GCM-HMAC-SHA256 encryption with a random master
// key that the password (via scrypt) only wraps.
func newRepositoryOptions() *kopiarepo.NewRepositoryOptions {
	return &kopiarepo.NewRepositoryOptions{
		BlockFormat:  format.ContentFormat{MutableParameters: format.MutableParameters{MaxPackSize: maxPackSize}},
		ObjectFormat: format.ObjectFormat{Splitter: splitter},
	}
}

// refuseExisting checks, without creating or writing anything, that loc is
// empty or absent.
func refuseExisting(ctx context.Context, loc Location) error {
	empty, err := loc.isEmpty()
	if err != nil || empty {
		return err
	}

	exists, err := hasFormatBlob(ctx, loc)
	if err != nil {
		return err
	}

	if exists {
		return ErrAlreadyExists
	}

	return ErrNotEmpty
}

// hasFormatBlob reports whether loc holds kopia's format blob, the marker of
// an initialised repository. It writes nothing: kopia's filesystem backend
// creates its ".shards" file on first access, so a directory without one is
// answered here without opening it as storage.
func hasFormatBlob(ctx context.Context, loc Location) (bool, error) {
	if loc.Scheme == SchemeFile {
		_, err := os.Stat(filepath.Join(loc.Path, sharded.ParametersFile))
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}

		if err != nil {
			return false, fmt.Errorf("read repository directory: %w", err)
		}
	}

	st, err := loc.storage(ctx, false)
	if errors.Is(err, ErrRepositoryNotFound) {
		return false, nil
	}

	if err != nil {
		return false, err
	}
	defer st.Close(ctx) //nolint:errcheck // read-only

	_, err = st.GetMetadata(ctx, format.KopiaRepositoryBlobID)
	if errors.Is(err, blob.ErrBlobNotFound) {
		return false, nil
	}

	if err != nil {
		return false, fmt.Errorf("read repository format: %w", err)
	}

	return true, nil
}

// Open opens the repository at url. It returns ErrRepositoryNotFound when url
// holds none and ErrWrongPassword when password does not decrypt it; neither
// case writes anything, in the repository or in ConfigDir.
func Open(ctx context.Context, rawURL string, password secret.Secret, opts OpenOptions) (*Repository, error) {
	loc, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}

	if password.IsZero() {
		return nil, fmt.Errorf("open %s: %w", loc, ErrEmptyPassword)
	}

	opts, err = opts.withDefaults()
	if err != nil {
		return nil, err
	}

	exists, err := hasFormatBlob(ctx, loc)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", loc, err)
	}

	if !exists {
		return nil, fmt.Errorf("open %s: %w", loc, ErrRepositoryNotFound)
	}

	cfg, err := connect(ctx, loc, password, opts)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", loc, err)
	}

	kr, err := kopiarepo.Open(ctx, cfg, password.Reveal(), &kopiarepo.Options{
		// kopia's default handler calls os.Exit; the failing call returns
		// the error to our caller anyway.
		OnFatalError: func(error) {},
	})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", loc, translate(err))
	}

	dr, ok := kr.(kopiarepo.DirectRepository)
	if !ok {
		kr.Close(ctx) //nolint:errcheck // unusable anyway
		return nil, fmt.Errorf("open %s: not a direct repository connection", loc)
	}

	return &Repository{loc: loc, kr: dr, now: opts.Now, safety: maintenance.SafetyFull, dirs: newDirCache(dirCacheEntries)}, nil
}

// connect makes sure the connection file for loc exists and carries our
// client identity, and returns its path. kopia's Connect verifies the
// password and removes the file again if it is wrong.
func connect(ctx context.Context, loc Location, password secret.Secret, opts OpenOptions) (string, error) {
	cfg := opts.configFile(loc)
	want := opts.clientOptions()

	if err := os.MkdirAll(opts.ConfigDir, 0o700); err != nil {
		return "", fmt.Errorf("create config directory: %w", err)
	}

	lc, err := kopiarepo.LoadConfigFromFile(cfg)
	switch {
	case err == nil:
		if lc.Hostname != want.Hostname || lc.Username != want.Username {
			lc.ClientOptions = lc.Override(want)
			if err := kopiarepo.SetClientOptions(ctx, cfg, lc.ClientOptions); err != nil {
				return "", fmt.Errorf("update connection file: %w", err)
			}
		}
	case errors.Is(err, fs.ErrNotExist):
		st, err := loc.storage(ctx, false)
		if err != nil {
			return "", err
		}
		defer st.Close(ctx) //nolint:errcheck // read-only

		// No content cache: the file backend is local already. Remote
		// backends will set CachingOptions here.
		if err := kopiarepo.Connect(ctx, cfg, st, password.Reveal(), &kopiarepo.ConnectOptions{ClientOptions: want}); err != nil {
			return "", translate(err)
		}
	default:
		return "", fmt.Errorf("read connection file: %w", err)
	}

	// kopia writes it 0600 today; enforce it in case that ever changes.
	if err := os.Chmod(cfg, 0o600); err != nil {
		return "", fmt.Errorf("restrict connection file: %w", err)
	}

	return cfg, nil
}

// Location returns where the repository lives.
func (r *Repository) Location() Location { return r.loc }

// Close releases the repository. Open SnapshotWriters must be committed or
// aborted first.
func (r *Repository) Close(ctx context.Context) error {
	if err := r.kr.Close(ctx); err != nil {
		return fmt.Errorf("close %s: %w", r.loc, err)
	}

	return nil
}
