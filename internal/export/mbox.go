package export

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// mboxWriter writes messages in the mboxrd format: each message starts
// with a "From sender date" separator line and ends with an empty line,
// and every line of a message that matches ^>*From  gets one more ">"
// (readers remove one, so the format round-trips any content). Messages
// keep their own line endings (Exchange MIME has CRLF). It streams: a
// message is never held in memory.
type mboxWriter struct {
	w     io.Writer
	first bool
}

func newMboxWriter(w io.Writer) *mboxWriter { return &mboxWriter{w: w, first: true} }

// separator is the "From " line of a message from sender (an address; ""
// writes MAILER-DAEMON) at date, in asctime form, UTC.
func separator(sender string, date time.Time) string {
	sender = strings.Join(strings.Fields(sender), "")
	if sender == "" {
		sender = "MAILER-DAEMON"
	}
	if date.IsZero() {
		date = time.Unix(0, 0)
	}
	return fmt.Sprintf("From %s %s\n", sender, date.UTC().Format("Mon Jan _2 15:04:05 2006"))
}

// Message copies one message from r, and returns the bytes of r copied.
func (m *mboxWriter) Message(sender string, date time.Time, r io.Reader) (int64, error) {
	if _, err := io.WriteString(m.w, separator(sender, date)); err != nil {
		return 0, err
	}
	q := &fromQuoter{w: m.w, bol: true}
	n, err := io.Copy(q, r)
	// End the message even after a read error, so that the next one
	// starts on a line of its own.
	if eerr := q.end(); err == nil {
		err = eerr
	}
	return n, err
}

// fromQuoter copies its input, adding a ">" before "From " at the start
// of a line after any run of ">". It holds back at most a partial "From "
// between writes. Output of a ">"-run is not delayed: adding the quote
// after the run is the same as before it.
type fromQuoter struct {
	w       io.Writer
	bol     bool // at the start of a line, or inside its leading ">" run
	pending int  // bytes of "From " matched so far (at the start of a line)
	lastNL  bool // the last byte written was \n
	wrote   bool
}

const fromLine = "From "

func (q *fromQuoter) Write(p []byte) (int, error) {
	start := 0 // p[start:i] is to be written as is
	flush := func(i int) error {
		if i > start {
			if _, err := q.w.Write(p[start:i]); err != nil {
				return err
			}
			q.lastNL = p[i-1] == '\n'
			q.wrote = true
		}
		start = i
		return nil
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case q.pending > 0:
			if c == fromLine[q.pending] {
				q.pending++
				start = i + 1 // held back
				if q.pending == len(fromLine) {
					if _, err := io.WriteString(q.w, ">"+fromLine); err != nil {
						return 0, err
					}
					q.pending, q.bol, q.lastNL, q.wrote = 0, false, false, true
				}
				continue
			}
			held := fromLine[:q.pending]
			q.pending, q.bol = 0, false
			if _, err := io.WriteString(q.w, held); err != nil {
				return 0, err
			}
			q.lastNL, q.wrote = false, true
			start = i
			i-- // look at c again, outside a match
		case q.bol && c == '>':
			// part of the run; written as is
		case q.bol && c == 'F':
			if err := flush(i); err != nil {
				return 0, err
			}
			q.pending = 1
			start = i + 1
		case c == '\n':
			q.bol = true
		default:
			q.bol = false
		}
	}
	if q.pending == 0 {
		if err := flush(len(p)); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// end writes what is held back and the empty line that ends a message
// (after a newline, if the message did not end with one).
func (q *fromQuoter) end() error {
	if q.pending > 0 {
		if _, err := io.WriteString(q.w, fromLine[:q.pending]); err != nil {
			return err
		}
		q.lastNL, q.wrote = false, true
	}
	tail := "\n"
	if q.wrote && !q.lastNL {
		tail = "\n\n"
	}
	_, err := io.WriteString(q.w, tail)
	return err
}
