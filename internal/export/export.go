package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/dataguard"
)

// Format is how mail is written.
type Format string

// Mail formats.
const (
	FormatEML  Format = "eml"  // one .eml file per message, the original MIME
	FormatMbox Format = "mbox" // one mboxrd file per folder
)

// ErrNoMatch is returned when Options.Path or Options.Items select
// nothing in the snapshot.
var ErrNoMatch = errors.New("nothing in the snapshot matches")

// ErrPartial is returned (wrapped) when some items could not be exported;
// the others were, and Summary.Failures lists the missing ones.
var ErrPartial = errors.New("some items could not be exported")

// Options configure Export. The zero value exports everything as .eml.
type Options struct {
	// Path limits the export to a folder (or a file) of the snapshot, by
	// names as 'sg365 find' shows them: "Inbox/Projects",
	// "Documents/report.docx". "" exports everything.
	Path string
	// Items limits the export to these item ids (messages, files, events,
	// contacts), within Path.
	Items []string
	// Format of mail. Default FormatEML.
	Format Format
	// Reporter receives progress. Default: none.
	Reporter Reporter
}

// Reporter receives progress from Export, from the goroutine calling
// Export. Implementations must not block.
type Reporter interface {
	ItemDone(path string, bytes int64)
	ItemFailed(id string, err error)
}

// NopReporter reports nothing.
type NopReporter struct{}

// ItemDone does nothing.
func (NopReporter) ItemDone(string, int64) {}

// ItemFailed does nothing.
func (NopReporter) ItemFailed(string, error) {}

// Failure is an item that could not be exported.
type Failure struct {
	ID    string `json:"id"`
	Error string `json:"error"`
}

// Summary is what an export wrote.
type Summary struct {
	Items    int64         `json:"items"`   // messages, files, events and contacts written
	Folders  int64         `json:"folders"` // directories created for folders
	Files    int64         `json:"files"`   // output files (mbox, ics and vcf files hold several items)
	Bytes    int64         `json:"bytes"`   // item bytes written (content, before zip compression)
	Failures []Failure     `json:"failures,omitempty"`
	Duration time.Duration `json:"duration"`
}

// Top-level directories of the exported tree, one per workload.
const (
	dirMail     = "Mail"
	dirOneDrive = "OneDrive"
	dirCalendar = "Calendar"
	dirContacts = "Contacts"
)

// job is one export: its view, options, sink and what it wrote.
type job struct {
	v     *dataguard.View
	opts  Options
	sink  Sink
	names *namer
	sum   *Summary
	items map[string]bool // nil: all
}

// exporters write one workload each; the others do nothing for a
// snapshot of another workload.
var exporters = []func(context.Context, *job) error{exportMail, exportDrive, exportEvents, exportContacts}

// Export writes the snapshot v, or the part opts selects, into sink, as a
// tree a person can read: mail folders and OneDrive folders by their
// names, mail as the original .eml or mbox, files as they are with their
// modification times, calendars as .ics and contact folders as .vcf
// files. Items that cannot be read are recorded in the Summary and
// skipped, and Export then returns an error wrapping ErrPartial; other
// errors (the sink fails, ctx is cancelled) stop it. The caller closes
// sink.
func Export(ctx context.Context, v *dataguard.View, sink Sink, opts Options) (Summary, error) {
	start := time.Now()
	sum := Summary{}
	if opts.Format == "" {
		opts.Format = FormatEML
	}
	if opts.Format != FormatEML && opts.Format != FormatMbox {
		return sum, fmt.Errorf("export: unknown mail format %q (eml or mbox)", opts.Format)
	}
	if opts.Reporter == nil {
		opts.Reporter = NopReporter{}
	}
	opts.Path = strings.Trim(opts.Path, "/")
	j := &job{v: v, opts: opts, sink: sink, names: newNamer(), sum: &sum}
	if len(opts.Items) > 0 {
		j.items = map[string]bool{}
		for _, id := range opts.Items {
			j.items[id] = true
		}
	}
	for _, ex := range exporters {
		if err := ex(ctx, j); err != nil {
			sum.Duration = time.Since(start)
			return sum, fmt.Errorf("export %s: %w", v.Info().ID, err)
		}
	}
	sum.Duration = time.Since(start)
	if (opts.Path != "" || j.items != nil) && sum.Items == 0 && sum.Folders == 0 && len(sum.Failures) == 0 {
		return sum, fmt.Errorf("export %s: %w (path %q, %d item ids; paths are by names, as sg365 find shows them)", v.Info().ID, ErrNoMatch, opts.Path, len(opts.Items))
	}
	if len(sum.Failures) > 0 {
		return sum, fmt.Errorf("export %s: %d items failed: %w", v.Info().ID, len(sum.Failures), ErrPartial)
	}
	return sum, nil
}

// want reports whether item id is selected by Options.Items.
func (j *job) want(id string) bool { return j.items == nil || j.items[id] }

// failed records an item failure, unless ctx was cancelled, which it
// returns instead.
func (j *job) failed(ctx context.Context, id string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	j.sum.Failures = append(j.sum.Failures, Failure{ID: id, Error: err.Error()})
	j.opts.Reporter.ItemFailed(id, err)
	return nil
}

// done records a written item.
func (j *job) done(p string, n int64) {
	j.sum.Items++
	j.sum.Bytes += n
	j.opts.Reporter.ItemDone(p, n)
}

// errSink marks errors of the output, which stop the export: an item
// failure is the repository's.
type errSink struct{ err error }

func (e errSink) Error() string { return e.err.Error() }
func (e errSink) Unwrap() error { return e.err }

// copyItem copies the snapshot file src into w, telling read errors (an
// item failure) from write errors (which stop the export).
func copyItem(ctx context.Context, v *dataguard.View, src string, w io.Writer) (int64, error) {
	f, err := v.Open(ctx, src)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return io.Copy(sinkWriter{w}, f)
}

// sinkWriter wraps write errors as errSink.
type sinkWriter struct{ w io.Writer }

func (s sinkWriter) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	if err != nil {
		err = errSink{err}
	}
	return n, err
}

// isSinkErr reports whether err came from the output.
func isSinkErr(err error) bool {
	var e errSink
	return errors.As(err, &e)
}

// folderDirs assigns output directories to a tree of folders: each folder
// goes below its parent's directory, or, when its parent is not exported,
// below top joined with its parent's path. Folders must come parents
// first (sorted by path).
type folderDirs struct {
	j    *job
	top  string
	dirs map[string]string // folder id -> output dir
}

func (f *folderDirs) add(id, parentID, name, p string) string {
	parent, ok := f.dirs[parentID]
	if !ok {
		parent = f.top
		if pp := parentOf(p); pp != "" {
			parent += "/" + sanitizePath(pp)
		}
	}
	d := f.j.names.join(parent, name, "")
	f.dirs[id] = d
	return d
}

// parentOf is the parent of a slash-separated path ("" at the top).
func parentOf(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}

// underPath reports whether p is Options.Path or below it.
func (j *job) underPath(p string) bool {
	return j.opts.Path == "" || p == j.opts.Path || strings.HasPrefix(p, j.opts.Path+"/")
}

// related reports whether folder path p is on the way to Options.Path
// or below it: such folders are listed.
func (j *job) related(p string) bool {
	return j.underPath(p) || strings.HasPrefix(j.opts.Path+"/", p+"/")
}
