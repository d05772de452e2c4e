package graph

import (
	"errors"
	"io"
)

// sectionSeeker exposes the next size bytes of a ReadSeeker as a seekable
// body of exactly that length.
type sectionSeeker struct {
	rs         io.ReadSeeker
	base, size int64
	pos        int64 // relative to base
}

func newSectionSeeker(rs io.ReadSeeker, size int64) (*sectionSeeker, error) {
	base, err := rs.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, err
	}
	return &sectionSeeker{rs: rs, base: base, size: size}, nil
}

func (s *sectionSeeker) Read(p []byte) (int, error) {
	if s.pos >= s.size {
		return 0, io.EOF
	}
	if int64(len(p)) > s.size-s.pos {
		p = p[:s.size-s.pos]
	}
	n, err := s.rs.Read(p)
	s.pos += int64(n)
	return n, err
}

func (s *sectionSeeker) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += s.pos
	case io.SeekEnd:
		offset += s.size
	}
	if offset < 0 || offset > s.size {
		return 0, errors.New("seek outside the upload section")
	}
	if _, err := s.rs.Seek(s.base+offset, io.SeekStart); err != nil {
		return 0, err
	}
	s.pos = offset
	return offset, nil
}
