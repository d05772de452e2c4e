package export

import (
	"context"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/dataguard"
)

// messageJSON is what export reads of a message's Graph JSON: enough to
// name the file and write the mbox separator.
type messageJSON struct {
	Subject  string `json:"subject"`
	Received string `json:"receivedDateTime"`
	Sent     string `json:"sentDateTime"`
	From     *struct {
		EmailAddress struct {
			Address string `json:"address"`
		} `json:"emailAddress"`
	} `json:"from"`
}

func (m messageJSON) date() time.Time {
	if t := parseTime(m.Received); !t.IsZero() {
		return t
	}
	return parseTime(m.Sent)
}

func (m messageJSON) sender() string {
	if m.From == nil {
		return ""
	}
	return m.From.EmailAddress.Address
}

// parseTime parses a Graph timestamp; the zero time for anything else.
func parseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// messageFileName is "<date> <subject>" (the extension is added by the
// caller). The date is UTC, sortable, without colons.
func messageFileName(m messageJSON) string {
	subject := strings.Join(strings.Fields(m.Subject), " ")
	if subject == "" {
		subject = "(no subject)"
	}
	if d := m.date(); !d.IsZero() {
		return d.Format("2006-01-02 150405") + " " + subject
	}
	return subject
}

// exportMail writes the selected mail folders: a directory per folder and
// a .eml per message, or an .mbox per folder.
func exportMail(ctx context.Context, j *job) error {
	dirs := &folderDirs{j: j, top: dirMail, dirs: map[string]string{}}
	for _, f := range j.v.MailFolders() {
		if !j.related(f.Path) {
			continue
		}
		dir := dirs.add(f.ID, f.ParentID, f.Name, f.Path)
		if !j.underPath(f.Path) {
			continue // an ancestor of Path: placed, not exported
		}
		msgs, err := j.v.Messages(ctx, f.ID)
		if err != nil {
			if err := j.failed(ctx, f.ID, err); err != nil {
				return err
			}
			continue
		}
		if j.items == nil && j.opts.Format == FormatEML {
			if err := j.sink.Mkdir(dir); err != nil {
				return err
			}
			j.sum.Folders++
		}
		if j.opts.Format == FormatMbox {
			err = j.mbox(ctx, dir, msgs)
		} else {
			err = j.emls(ctx, dir, msgs)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// emls writes each message as <dir>/<date> <subject>.eml.
func (j *job) emls(ctx context.Context, dir string, msgs []dataguard.MessageRef) error {
	for _, m := range msgs {
		if !j.want(m.ID) {
			continue
		}
		var js messageJSON
		if err := j.v.ReadJSON(ctx, m.JSON, &js); err != nil {
			if err := j.failed(ctx, m.ID, err); err != nil {
				return err
			}
			continue
		}
		p := j.names.join(dir, messageFileName(js), ".eml")
		w, err := j.sink.Create(p, js.date())
		if err != nil {
			return err
		}
		n, err := copyItem(ctx, j.v, m.EML, w)
		if cerr := w.Close(); cerr != nil {
			return cerr
		}
		if err != nil {
			if isSinkErr(err) {
				return err
			}
			if derr := j.sink.Discard(p); derr != nil {
				return derr
			}
			if err := j.failed(ctx, m.ID, err); err != nil {
				return err
			}
			continue
		}
		j.sum.Files++
		j.done(p, n)
	}
	return nil
}

// mbox writes the folder's messages into <dir>.mbox, which is created
// only if there is a message to write.
func (j *job) mbox(ctx context.Context, dir string, msgs []dataguard.MessageRef) error {
	var mw *mboxWriter
	var out interface{ Close() error }
	var p string
	defer func() {
		if out != nil {
			out.Close()
		}
	}()
	for _, m := range msgs {
		if !j.want(m.ID) {
			continue
		}
		var js messageJSON
		if err := j.v.ReadJSON(ctx, m.JSON, &js); err != nil {
			if err := j.failed(ctx, m.ID, err); err != nil {
				return err
			}
			continue
		}
		// Open the message before adding it, so that a message that
		// cannot be read leaves no separator behind.
		f, err := j.v.Open(ctx, m.EML)
		if err != nil {
			if err := j.failed(ctx, m.ID, err); err != nil {
				return err
			}
			continue
		}
		if mw == nil {
			// The name is the folder's own, next to its directory.
			p = j.names.join(parentOf(dir), baseOf(dir), ".mbox")
			w, err := j.sink.Create(p, time.Time{})
			if err != nil {
				f.Close()
				return err
			}
			out, mw = w, newMboxWriter(sinkWriter{w})
			j.sum.Files++
		}
		n, err := mw.Message(js.sender(), js.date(), f)
		f.Close()
		if err != nil {
			if isSinkErr(err) {
				return err
			}
			if err := j.failed(ctx, m.ID, err); err != nil {
				return err
			}
			continue
		}
		j.done(p, n)
	}
	if out != nil {
		err := out.Close()
		out = nil
		return err
	}
	return nil
}

// baseOf is the last element of a slash-separated path.
func baseOf(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}
