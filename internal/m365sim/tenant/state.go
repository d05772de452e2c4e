package tenant

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"time"
)

// A state file holds a whole tenant (see Save). It is a magic line and then
// a sequence of frames:
//
//	kind (1 byte) | payload length (uvarint) | payload | CRC-32C of kind and payload (4 bytes)
//
// The first frame is the header ('H'), which carries the format version;
// the last is the end frame ('E'), which counts what came before it, so a
// truncated file is told apart from a complete one. In between, record
// frames hold one object each as JSON (see state_records.go), and a blob
// frame ('B') is followed by the blob's content in chunk frames ('b') of at
// most stateChunk bytes, before the first record that refers to it.
// Generated content is never written: records carry its parameters.
const (
	stateMagic = "SG365 emulator tenant state\n"

	// StateFormat is the version of the state format Save writes and the
	// only one Load reads.
	StateFormat = 1

	// stateChunk bounds the memory Save and Load use for blob content.
	stateChunk = 1 << 20
	// maxFrame bounds a frame's payload. The largest records are change
	// logs (about 60 bytes an entry), so this allows millions of entries.
	maxFrame = 256 << 20
)

// Frame kinds other than records.
const (
	frameHeader = 'H'
	frameEnd    = 'E'
	frameBlob   = 'B'
	frameChunk  = 'b'
)

// ErrInvalidState is wrapped by the errors Load returns for input that is
// not a complete state file of a supported format.
var ErrInvalidState = errors.New("invalid tenant state")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// stateHeader is the payload of the first frame.
type stateHeader struct {
	Format int
	Clock  time.Time // the tenant's clock when it was saved
}

// stateEnd is the payload of the last frame.
type stateEnd struct {
	Records   int
	Blobs     int
	BlobBytes int64
}

// blobHeader announces a blob's content, which follows in chunk frames.
type blobHeader struct {
	ID   int
	Size int64
	Mem  bool // held in memory (Bytes); otherwise Load may spool it
}

// Save writes the whole tenant to w in the format Load reads: the
// directory, mailboxes, drives, every change log with its floor, and the
// sequence and id counters, so that a loaded tenant continues the same ids
// and accepts the same delta tokens. Generated blobs are written as their
// parameters; other blobs are copied in 1 MiB chunks, so uploaded content
// is never held in memory twice. Content shared by several objects is
// written once.
//
// Save holds the read lock while it writes (changes wait for it), reads the
// tenant's clock once, and buffers its writes but does not close w. Given
// the same tenant it writes the same bytes after the header, which holds
// the clock's reading.
func (t *Tenant) Save(w io.Writer) error {
	t.mu.RLock()
	defer t.mu.RUnlock()
	fw := &frameWriter{w: bufio.NewWriterSize(w, 1<<16)}
	fw.w.WriteString(stateMagic)
	if err := fw.json(frameHeader, stateHeader{Format: StateFormat, Clock: t.Now()}); err != nil {
		return err
	}
	sink := &saveSink{fw: fw}
	if err := walkState(t, sink); err != nil {
		return fmt.Errorf("save tenant: %w", err)
	}
	if err := fw.json(frameEnd, stateEnd{Records: sink.records, Blobs: sink.blobs, BlobBytes: sink.bytes}); err != nil {
		return err
	}
	if err := fw.w.Flush(); err != nil {
		return fmt.Errorf("save tenant: %w", err)
	}
	return nil
}

// Spool stores size bytes of uploaded content read from r, for example in
// a temporary file, and returns them as a Blob. It must read exactly size
// bytes.
type Spool func(r io.Reader, size int64) (Blob, error)

// Load reads a tenant that Save wrote, holding uploaded content in memory.
// now becomes the tenant's clock; nil continues the saved tenant's clock
// as a clock that advances one second per call, as Generate's default
// does. Errors about the input wrap ErrInvalidState: a file of another
// format version, a truncated file and a damaged one are reported, never
// loaded in part.
func Load(r io.Reader, now func() time.Time) (*Tenant, error) {
	return LoadSpooled(r, now, nil)
}

// LoadSpooled is Load with a place for uploaded content: blobs that were
// not held in memory when saved (such as uploads kept in temporary files)
// are handed to spool instead of being read into memory. A nil spool keeps
// them in memory.
func LoadSpooled(r io.Reader, now func() time.Time, spool Spool) (t *Tenant, err error) {
	defer func() {
		// Every check is explicit; this only turns a missed one into an
		// error, since a state file is input like any other.
		if p := recover(); p != nil {
			t, err = nil, fmt.Errorf("%w: %v", ErrInvalidState, p)
		}
	}()
	br := bufio.NewReaderSize(r, 1<<16)
	magic := make([]byte, len(stateMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != stateMagic {
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("read tenant state: %w", err)
		}
		return nil, fmt.Errorf("%w: not an emulator tenant state file", ErrInvalidState)
	}
	fr := &frameReader{r: br}
	var hdr stateHeader
	if err := fr.expectJSON(frameHeader, &hdr); err != nil {
		return nil, err
	}
	if hdr.Format != StateFormat {
		return nil, fmt.Errorf("%w: format version %d, this build reads version %d", ErrInvalidState, hdr.Format, StateFormat)
	}
	if now == nil {
		now = steppingClock(hdr.Clock)
	}
	b := newStateBuilder(now)
	var blobs int
	var blobBytes int64
	for {
		kind, payload, err := fr.next()
		if err != nil {
			return nil, err
		}
		switch kind {
		case frameBlob:
			var bh blobHeader
			if err := decodeFrame(kind, payload, &bh); err != nil {
				return nil, err
			}
			if err := b.readBlob(fr, bh, spool); err != nil {
				return nil, err
			}
			blobs++
			blobBytes += bh.Size
		case frameEnd:
			var end stateEnd
			if err := decodeFrame(kind, payload, &end); err != nil {
				return nil, err
			}
			if end.Records != b.records || end.Blobs != blobs || end.BlobBytes != blobBytes {
				return nil, fmt.Errorf("%w: end frame counts %d records and %d blobs, the file holds %d and %d",
					ErrInvalidState, end.Records, end.Blobs, b.records, blobs)
			}
			if _, err := br.ReadByte(); err != io.EOF {
				return nil, fmt.Errorf("%w: data after the end frame", ErrInvalidState)
			}
			return b.finish()
		default:
			if err := b.add(kind, payload); err != nil {
				return nil, err
			}
		}
	}
}

// frameWriter writes frames; see the format above.
type frameWriter struct {
	w *bufio.Writer
}

func (fw *frameWriter) frame(kind byte, payload []byte) error {
	var hdr [1 + binary.MaxVarintLen64]byte
	hdr[0] = kind
	n := 1 + binary.PutUvarint(hdr[1:], uint64(len(payload)))
	crc := crc32.Update(crc32.Update(0, castagnoli, hdr[:1]), castagnoli, payload)
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc)
	fw.w.Write(hdr[:n])
	fw.w.Write(payload)
	_, err := fw.w.Write(sum[:]) // bufio keeps the first error
	if err != nil {
		return fmt.Errorf("save tenant: %w", err)
	}
	return nil
}

func (fw *frameWriter) json(kind byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("save tenant: encode %c record: %w", kind, err)
	}
	return fw.frame(kind, b)
}

// frameReader reads frames. The payload it returns is valid until the next
// call.
type frameReader struct {
	r      *bufio.Reader
	frames int
	buf    bytes.Buffer
}

// next reads one frame. The end of the input is an error here: a complete
// file ends with an end frame, which the caller stops at.
func (fr *frameReader) next() (kind byte, payload []byte, err error) {
	truncated := func(err error) error {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: truncated after %d frames", ErrInvalidState, fr.frames)
		}
		return fmt.Errorf("read tenant state: %w", err)
	}
	kind, err = fr.r.ReadByte()
	if err != nil {
		return 0, nil, truncated(err)
	}
	size, err := binary.ReadUvarint(fr.r)
	if err != nil {
		return 0, nil, truncated(err)
	}
	if size > maxFrame {
		return 0, nil, fmt.Errorf("%w: frame %d claims %d bytes", ErrInvalidState, fr.frames+1, size)
	}
	// CopyN grows the buffer as data arrives, so a damaged length on a
	// short file fails at its end instead of allocating the claimed size.
	fr.buf.Reset()
	if _, err := io.CopyN(&fr.buf, fr.r, int64(size)); err != nil {
		return 0, nil, truncated(err)
	}
	var sum [4]byte
	if _, err := io.ReadFull(fr.r, sum[:]); err != nil {
		return 0, nil, truncated(err)
	}
	payload = fr.buf.Bytes()
	crc := crc32.Update(crc32.Update(0, castagnoli, []byte{kind}), castagnoli, payload)
	if binary.BigEndian.Uint32(sum[:]) != crc {
		return 0, nil, fmt.Errorf("%w: frame %d is damaged (checksum mismatch)", ErrInvalidState, fr.frames+1)
	}
	fr.frames++
	return kind, payload, nil
}

func (fr *frameReader) expectJSON(kind byte, v any) error {
	k, payload, err := fr.next()
	if err != nil {
		return err
	}
	if k != kind {
		return fmt.Errorf("%w: frame %d is %q, want %q", ErrInvalidState, fr.frames, k, kind)
	}
	return decodeFrame(kind, payload, v)
}

func decodeFrame(kind byte, payload []byte, v any) error {
	if err := json.Unmarshal(payload, v); err != nil {
		return fmt.Errorf("%w: %q record: %v", ErrInvalidState, kind, err)
	}
	return nil
}

// chunkReader reads a blob's content from the chunk frames that follow its
// blob frame.
type chunkReader struct {
	fr   *frameReader
	left int64  // bytes of the blob not yet returned
	cur  []byte // rest of the current chunk
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.left == 0 {
		return 0, io.EOF
	}
	if len(c.cur) == 0 {
		kind, payload, err := c.fr.next()
		if err != nil {
			return 0, err
		}
		if kind != frameChunk || len(payload) == 0 || int64(len(payload)) > c.left {
			return 0, fmt.Errorf("%w: frame %d: blob content ends early or runs over", ErrInvalidState, c.fr.frames)
		}
		c.cur = payload
	}
	n := copy(p, c.cur)
	c.cur = c.cur[n:]
	c.left -= int64(n)
	return n, nil
}

// saveSink writes what walkState produces as frames.
type saveSink struct {
	fw      *frameWriter
	buf     []byte
	records int
	blobs   int
	bytes   int64
}

func (s *saveSink) record(kind byte, rec any) error {
	s.records++
	return s.fw.json(kind, rec)
}

func (s *saveSink) blob(id int, b Blob) error {
	_, mem := b.(Bytes)
	size := b.Size()
	if err := s.fw.json(frameBlob, blobHeader{ID: id, Size: size, Mem: mem}); err != nil {
		return err
	}
	if s.buf == nil {
		s.buf = make([]byte, stateChunk)
	}
	for off := int64(0); off < size; {
		n := int(min(int64(len(s.buf)), size-off))
		got, err := b.ReadAt(s.buf[:n], off)
		if got < n {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("read blob %d at %d: %w", id, off, err)
		}
		if err := s.fw.frame(frameChunk, s.buf[:n]); err != nil {
			return err
		}
		off += int64(n)
	}
	s.blobs++
	s.bytes += size
	return nil
}
