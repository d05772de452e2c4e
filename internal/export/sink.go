package export

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// ErrExists is returned by NewDirSink and NewZipSink when the output
// exists (a non-empty directory, or a file) and overwriting was not asked
// for.
var ErrExists = errors.New("output exists")

// Sink receives the exported tree. Paths are slash-separated, relative,
// and made of sanitized elements. Files are written one at a time: the
// writer Create returns must be closed before the next Create.
type Sink interface {
	// Create starts a file whose modification time becomes mtime (zero:
	// now).
	Create(p string, mtime time.Time) (io.WriteCloser, error)
	// Mkdir creates a directory and its parents.
	Mkdir(p string) error
	// Discard removes the closed file p after its item failed half-way,
	// where the output allows it (a zip entry cannot be taken back; the
	// failure is listed in the Summary either way).
	Discard(p string) error
	// Close finishes the output; after a failed export, pass the error,
	// and a zip file is removed.
	Close(exportErr error) error
}

// dirSink writes into a directory through an os.Root: every path is
// resolved one element at a time below the directory, so that no path
// can leave it (not even by a symbolic link placed there meanwhile) and
// deep trees are not limited by the system's path length limit.
type dirSink struct {
	root  *os.Root
	force bool
}

// NewDirSink writes into dir, creating it. An existing non-empty dir is
// refused with ErrExists unless force, which also overwrites existing
// files of the same names.
func NewDirSink(dir string, force bool) (Sink, error) {
	ents, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create %s: %w", dir, err)
		}
	case err != nil:
		return nil, fmt.Errorf("output %s: %w", dir, err)
	case len(ents) > 0 && !force:
		return nil, fmt.Errorf("%w: %s is not empty (use --force to write into it)", ErrExists, dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", dir, err)
	}
	return &dirSink{root: root, force: force}, nil
}

func (s *dirSink) Mkdir(p string) error {
	if err := s.root.MkdirAll(p, 0o755); err != nil {
		return fmt.Errorf("create directory %s: %w", p, err)
	}
	return nil
}

func (s *dirSink) Create(p string, mtime time.Time) (io.WriteCloser, error) {
	if d := path.Dir(p); d != "." {
		if err := s.Mkdir(d); err != nil {
			return nil, err
		}
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if s.force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := s.root.OpenFile(p, flags, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", p, err)
	}
	return &dirFile{f: f, s: s, p: p, mtime: mtime}, nil
}

func (s *dirSink) Close(error) error { return s.root.Close() }

func (s *dirSink) Discard(p string) error { return s.root.Remove(p) }

type dirFile struct {
	f     *os.File
	s     *dirSink
	p     string
	mtime time.Time
}

func (d *dirFile) Write(b []byte) (int, error) { return d.f.Write(b) }

func (d *dirFile) Close() error {
	if err := d.f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", d.p, err)
	}
	if !d.mtime.IsZero() {
		if err := d.s.root.Chtimes(d.p, d.mtime, d.mtime); err != nil {
			return fmt.Errorf("set time of %s: %w", d.p, err)
		}
	}
	return nil
}

// zipSink streams a zip archive into a temporary file next to the target
// and renames it into place when the export succeeds. Entries are
// compressed with Deflate, except formats that are compressed already.
type zipSink struct {
	target, tmp string
	f           *os.File
	zw          *zip.Writer
	dirs        map[string]bool
}

// NewZipSink writes a zip archive to file. An existing file is refused
// with ErrExists unless force.
func NewZipSink(file string, force bool) (Sink, error) {
	if _, err := os.Stat(file); err == nil && !force {
		return nil, fmt.Errorf("%w: %s (use --force to replace it)", ErrExists, file)
	}
	f, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".partial-*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", file, err)
	}
	return &zipSink{target: file, tmp: f.Name(), f: f, zw: zip.NewWriter(f), dirs: map[string]bool{}}, nil
}

// stored lists extensions whose content is compressed already.
var stored = map[string]bool{".zip": true, ".gz": true, ".tgz": true, ".bz2": true, ".xz": true, ".zst": true, ".7z": true,
	".rar": true, ".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true, ".heic": true, ".mp3": true,
	".mp4": true, ".m4a": true, ".mov": true, ".avi": true, ".mkv": true, ".docx": true, ".xlsx": true, ".pptx": true,
	".odt": true, ".ods": true, ".odp": true}

func (s *zipSink) Mkdir(p string) error {
	if s.dirs[p] {
		return nil
	}
	s.dirs[p] = true // zip readers infer parents; an entry keeps an empty folder
	_, err := s.zw.CreateHeader(&zip.FileHeader{Name: p + "/", Method: zip.Store, Modified: time.Now()})
	return err
}

func (s *zipSink) Discard(string) error { return nil }

func (s *zipSink) Create(p string, mtime time.Time) (io.WriteCloser, error) {
	if mtime.IsZero() {
		mtime = time.Now()
	}
	method := zip.Deflate
	if stored[strings.ToLower(path.Ext(p))] {
		method = zip.Store
	}
	w, err := s.zw.CreateHeader(&zip.FileHeader{Name: p, Method: method, Modified: mtime})
	if err != nil {
		return nil, fmt.Errorf("add %s to the archive: %w", p, err)
	}
	return nopCloser{w}, nil
}

func (s *zipSink) Close(exportErr error) error {
	err := errors.Join(s.zw.Close(), s.f.Sync(), s.f.Close())
	if exportErr != nil || err != nil {
		os.Remove(s.tmp)
		if err != nil {
			return fmt.Errorf("write %s: %w", s.target, err)
		}
		return nil
	}
	if err := os.Rename(s.tmp, s.target); err != nil {
		os.Remove(s.tmp)
		return fmt.Errorf("write %s: %w", s.target, err)
	}
	return nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
