package tenant

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ImportMbox loads every message of an mbox stream into the mailbox
// folder of user (id or UPN). folder is a path such as "Inbox/Imported"
// whose first segment may be a well-known folder name; missing folders
// are created. Each message keeps its original bytes as its MIME (what
// $value returns) and gets its properties from ParseMIME; it is read and
// not a draft.
//
// Messages are separated by "From " lines at the start of the input or
// after a blank line; mboxrd and mboxo quoting (">From ", ">>From ", …)
// loses one ">". The blank line before each separator is not part of the
// message. ImportMbox stops at the first message that does not parse and
// returns how many it imported before it. It takes the tenant's write
// lock for each message, so the caller must not hold it.
func ImportMbox(t *Tenant, user, folder string, r io.Reader) (int, error) {
	im := &importer{t: t, user: user, folder: folder}
	mr := newMboxReader(r)
	n := 0
	for {
		raw, err := mr.next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("import mbox: %w", err)
		}
		if err := im.store(raw); err != nil {
			return n, fmt.Errorf("import mbox message %d: %w", n+1, err)
		}
		n++
	}
}

// ImportEML loads the *.eml files of dir (not its sub-directories), in
// name order, into the mailbox folder of user as ImportMbox does. It
// returns how many it imported before the first failure.
func ImportEML(t *Tenant, user, folder, dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("import eml: %w", err)
	}
	im := &importer{t: t, user: user, folder: folder}
	n := 0
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".eml") {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return n, fmt.Errorf("import eml: %w", err)
		}
		if err := im.store(raw); err != nil {
			return n, fmt.Errorf("import eml %s: %w", e.Name(), err)
		}
		n++
	}
	return n, nil
}

// errNotMbox is returned when the input does not start with a "From " line.
var errNotMbox = errors.New("not an mbox: the first line is not a \"From \" line")

// mboxReader splits an mbox stream into messages, one in memory at a time.
type mboxReader struct {
	br      *bufio.Reader
	started bool
	done    bool
}

func newMboxReader(r io.Reader) *mboxReader {
	return &mboxReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next non-empty message, unquoted, or io.EOF after the
// last.
func (m *mboxReader) next() ([]byte, error) {
	if !m.started {
		m.started = true
		line, err := m.firstLine()
		if err != nil {
			m.done = true
			return nil, err
		}
		if !bytes.HasPrefix(line, []byte("From ")) {
			m.done = true
			return nil, errNotMbox
		}
	}
	for !m.done {
		msg, err := m.message()
		if err != nil {
			m.done = true
			return nil, err
		}
		if len(msg) > 0 {
			return msg, nil
		}
	}
	return nil, io.EOF
}

// message reads up to the next separator line (consuming it) or the end.
func (m *mboxReader) message() ([]byte, error) {
	var msg bytes.Buffer
	prevBlank := false
	lastLine := -1 // offset in msg of the last line
	for {
		line, err := m.br.ReadSlice('\n')
		if prevBlank && bytes.HasPrefix(line, []byte("From ")) {
			for err == bufio.ErrBufferFull { // skip the rest of a long separator
				_, err = m.br.ReadSlice('\n')
			}
			if err == io.EOF {
				m.done = true
			} else if err != nil {
				return nil, err
			}
			break
		}
		blank := isBlankLine(line)
		if len(line) > 0 {
			lastLine = msg.Len()
			msg.Write(unquoteFrom(line))
		}
		for err == bufio.ErrBufferFull { // the rest of a line longer than the buffer
			line, err = m.br.ReadSlice('\n')
			msg.Write(line)
		}
		prevBlank = blank
		if err == io.EOF {
			m.done = true
			break
		}
		if err != nil {
			return nil, err
		}
	}
	out := msg.Bytes()
	if lastLine >= 0 && isBlankLine(out[lastLine:]) {
		out = out[:lastLine] // the blank line belongs to the separator
	}
	return out, nil
}

// firstLine skips blank lines at the start and returns the first other
// line.
func (m *mboxReader) firstLine() ([]byte, error) {
	for {
		line, err := m.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			return line, nil // too long for a From line; the caller rejects it
		}
		if err != nil && (err != io.EOF || len(line) == 0) {
			if err == io.EOF {
				return nil, io.EOF // empty input: no messages
			}
			return nil, err
		}
		if !isBlankLine(line) {
			return line, nil
		}
		if err == io.EOF {
			return nil, io.EOF
		}
	}
}

func isBlankLine(line []byte) bool {
	return len(line) > 0 && len(bytes.TrimRight(line, "\r\n")) == 0
}

// unquoteFrom removes one ">" from lines matching ^>+From (mboxrd); in
// mboxo files only ">From " occurs, with the same result.
func unquoteFrom(line []byte) []byte {
	i := 0
	for i < len(line) && line[i] == '>' {
		i++
	}
	if i > 0 && bytes.HasPrefix(line[i:], []byte("From ")) {
		return line[1:]
	}
	return line
}
