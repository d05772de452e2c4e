package tenant

import (
	"bytes"
	"encoding/binary"
	"hash/fnv"
	"io"
	"math/rand/v2"
)

// Blob is byte content: a message's MIME, an attachment, a file version.
// Blobs are immutable and safe for concurrent reads.
type Blob interface {
	io.ReaderAt
	Size() int64
}

// Bytes is a Blob held in memory, used for content that clients upload.
type Bytes []byte

// Size implements Blob.
func (b Bytes) Size() int64 { return int64(len(b)) }

// ReadAt implements io.ReaderAt.
func (b Bytes) ReadAt(p []byte, off int64) (int, error) {
	return bytes.NewReader(b).ReadAt(p, off)
}

// Reader returns a reader over the whole blob.
func Reader(b Blob) io.Reader { return io.NewSectionReader(b, 0, b.Size()) }

// Generated is a Blob of size bytes computed from Seed on demand, so large
// files cost no memory. The same seed and size always give the same bytes.
// Text selects printable content (for text files) instead of random bytes.
type Generated struct {
	Seed uint64
	Len  int64
	Text bool
}

const genBlock = 4096

// Size implements Blob.
func (g Generated) Size() int64 { return g.Len }

// ReadAt implements io.ReaderAt. Each 4 KiB block is generated from the seed
// and the block number, so any offset can be read without the ones before.
func (g Generated) ReadAt(p []byte, off int64) (int, error) {
	if off >= g.Len {
		return 0, io.EOF
	}
	n := 0
	var block [genBlock]byte
	for n < len(p) && off < g.Len {
		bn := off / genBlock
		g.fill(&block, bn)
		start := int(off % genBlock)
		end := genBlock
		if rem := g.Len - bn*genBlock; rem < genBlock {
			end = int(rem)
		}
		c := copy(p[n:], block[start:end])
		n += c
		off += int64(c)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

const textAlphabet = "abcdefghijklmnopqrstuvwxyz      ABCDEFGHIJ.,\n0123456789"

func (g Generated) fill(block *[genBlock]byte, bn int64) {
	r := rand.New(rand.NewPCG(g.Seed, uint64(bn)))
	for i := 0; i < genBlock; i += 8 {
		binary.LittleEndian.PutUint64(block[i:], r.Uint64())
	}
	if g.Text {
		for i, c := range block {
			block[i] = textAlphabet[int(c)%len(textAlphabet)]
		}
	}
}

// SeedOf derives a stable seed from parts, for generated content and ids.
func SeedOf(parts ...any) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			h.Write([]byte(v))
		case int:
			binary.Write(h, binary.LittleEndian, int64(v))
		case int64:
			binary.Write(h, binary.LittleEndian, v)
		case uint64:
			binary.Write(h, binary.LittleEndian, v)
		}
		h.Write([]byte{0})
	}
	return h.Sum64()
}
