package dataguard

import (
	"io"
)

// sourceReader wraps an item's content stream from Graph. It counts the
// bytes, reports them to the Reporter in steps, and remembers the stream's
// own error, so that a failed WriteFile can be told apart: a Graph stream
// that broke is an item failure, a repository that failed is not.
type sourceReader struct {
	r       io.Reader
	report  func(int64)
	n       int64
	pending int64
	err     error
}

// reportStep is how many bytes accumulate before BytesRead is called, so
// that a reporter is not called for every small read.
const reportStep = 256 << 10

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.n += int64(n)
	s.pending += int64(n)
	if s.pending >= reportStep || (err != nil && s.pending > 0) {
		s.report(s.pending)
		s.pending = 0
	}
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}
