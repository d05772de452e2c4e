package export

import (
	"bufio"
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
)

// readMboxrd splits an mboxrd file into its messages, undoing the From
// quoting, as a mail reader does.
func readMboxrd(tb testing.TB, data []byte) [][]byte {
	tb.Helper()
	quoted := regexp.MustCompile(`^>+From `)
	var msgs [][]byte
	var cur *bytes.Buffer
	r := bufio.NewReader(bytes.NewReader(data))
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			switch {
			case bytes.HasPrefix(line, []byte("From ")):
				if cur != nil {
					msgs = append(msgs, cur.Bytes())
				}
				cur = &bytes.Buffer{}
			case cur == nil:
				tb.Fatalf("mbox does not start with a From line: %q", line)
			case quoted.Match(line):
				cur.Write(line[1:])
			default:
				cur.Write(line)
			}
		}
		if err == io.EOF {
			break
		}
	}
	if cur != nil {
		msgs = append(msgs, cur.Bytes())
	}
	// Each message ends with the empty line the writer added.
	for i, m := range msgs {
		if !bytes.HasSuffix(m, []byte("\n")) {
			tb.Fatalf("message %d does not end with an empty line: %q", i, m)
		}
		msgs[i] = m[:len(m)-1]
	}
	return msgs
}

// oneByteWriter passes writes on one byte at a time, to test the quoter
// across write boundaries.
type oneByteWriter struct{ w io.Writer }

func (o oneByteWriter) Write(p []byte) (int, error) {
	for i := range p {
		if _, err := o.w.Write(p[i : i+1]); err != nil {
			return i, err
		}
	}
	return len(p), nil
}

func TestMboxRoundTrip(t *testing.T) {
	msgs := []string{
		"Subject: a\r\n\r\nFrom here\r\n>From there\r\n>>From everywhere\r\nFrom\r\nFro\r\n From \r\nXFrom x\r\n",
		"Subject: b\n\nno final newline, From inside",
		"From the very start\n",
		">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>From deep\n",
		"",
		"F",
		"\n\nFrom\nFrom \n",
	}
	for _, split := range []bool{false, true} {
		var buf bytes.Buffer
		var w io.Writer = &buf
		if split {
			w = oneByteWriter{&buf}
		}
		mw := newMboxWriter(w)
		for i, m := range msgs {
			var src io.Reader = strings.NewReader(m)
			if split {
				src = io.MultiReader(strings.NewReader(m[:len(m)/2]), strings.NewReader(m[len(m)/2:]))
			}
			if _, err := mw.Message("sender@example.com", time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC).Add(time.Duration(i)), src); err != nil {
				t.Fatal(err)
			}
		}
		if !strings.HasPrefix(buf.String(), "From sender@example.com Tue Mar  4 05:06:07 2025\n") {
			t.Fatalf("separator: %q", buf.String()[:60])
		}
		got := readMboxrd(t, buf.Bytes())
		if len(got) != len(msgs) {
			t.Fatalf("split=%v: %d messages back, want %d:\n%s", split, len(got), len(msgs), buf.String())
		}
		for i, m := range msgs {
			want := m
			if want != "" && !strings.HasSuffix(want, "\n") {
				want += "\n" // the writer ends the last line
			}
			if string(got[i]) != want {
				t.Errorf("split=%v: message %d: got %q, want %q", split, i, got[i], want)
			}
		}
	}
}
