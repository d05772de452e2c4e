package tenant

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash"
	"io"
	"runtime"

	"golang.org/x/sync/errgroup"
)

// QuickXorSize is the length in bytes of a QuickXorHash digest.
const QuickXorSize = 20

// quickXorPeriod is the number of input bytes after which the bit position
// of the next byte comes back to 0: byte i lands at bit 11*i mod 160, and
// 11*160 is a multiple of 160. Folding the input modulo this period first
// makes the hash run at memory speed instead of bit-twiddling every byte.
const quickXorPeriod = 160

// QuickXorHash computes OneDrive's quickXorHash, the content hash OneDrive
// for Business reports in file.hashes.quickXorHash
// (https://learn.microsoft.com/onedrive/developer/code-snippets/quickxorhash):
// every input byte is XORed into a 160-bit register at bit 11*i mod 160, and
// the input length is XORed, little-endian, into the last 8 bytes.
//
// The zero value is ready to use. It implements hash.Hash; it is not safe
// for concurrent use.
type QuickXorHash struct {
	fold [quickXorPeriod / 8]uint64 // input XOR-folded by offset mod 160, little-endian words
	n    int64                      // bytes written
}

var _ hash.Hash = (*QuickXorHash)(nil)

// Write implements io.Writer; it never fails.
func (h *QuickXorHash) Write(p []byte) (int, error) {
	written := len(p)
	pos := int(h.n % quickXorPeriod)
	// Bytes up to the next period boundary, one at a time.
	for pos != 0 && len(p) > 0 {
		h.fold[pos/8] ^= uint64(p[0]) << (8 * (pos % 8))
		p = p[1:]
		pos = (pos + 1) % quickXorPeriod
	}
	// Whole periods, a word at a time.
	for len(p) >= quickXorPeriod {
		for i := range h.fold {
			h.fold[i] ^= binary.LittleEndian.Uint64(p[8*i:])
		}
		p = p[quickXorPeriod:]
	}
	for i, b := range p {
		h.fold[i/8] ^= uint64(b) << (8 * (i % 8))
	}
	h.n += int64(written)
	return written, nil
}

// Sum appends the 20-byte digest to b without changing the hash state.
func (h *QuickXorHash) Sum(b []byte) []byte {
	var out [QuickXorSize]byte
	for j := 0; j < quickXorPeriod; j++ {
		c := byte(h.fold[j/8] >> (8 * (j % 8)))
		if c == 0 {
			continue
		}
		bit := (j * 11) % (8 * QuickXorSize)
		idx, shift := bit/8, bit%8
		out[idx] ^= c << shift
		if shift != 0 {
			out[(idx+1)%QuickXorSize] ^= c >> (8 - shift)
		}
	}
	var length [8]byte
	binary.LittleEndian.PutUint64(length[:], uint64(h.n))
	for i, c := range length {
		out[QuickXorSize-8+i] ^= c
	}
	return append(b, out[:]...)
}

// Reset clears the state.
func (h *QuickXorHash) Reset() { *h = QuickXorHash{} }

// Size returns QuickXorSize.
func (h *QuickXorHash) Size() int { return QuickXorSize }

// BlockSize returns the period after which the bit positions repeat.
func (h *QuickXorHash) BlockSize() int { return quickXorPeriod }

// Base64 returns the digest in the form Graph reports it.
func (h *QuickXorHash) Base64() string {
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// parallelHashMin is the blob size above which QuickXorHashBlob hashes
// segments on several cores. Below it one goroutine is faster.
const parallelHashMin = 256 << 20

// hashSegment is a multiple of both the 160-byte hash period and the 4 KiB
// Generated block, so that segment folds can be XORed together and every
// segment read starts on a block boundary.
const hashSegment = quickXorPeriod * genBlock * 16 // 10 MiB

// QuickXorHashBlob returns the base64 quickXorHash of b's content, reading
// it as a stream with a fixed buffer. Blobs larger than 256 MiB are hashed
// on all cores: the hash is a XOR of position-dependent terms, so segments
// aligned to its period can be hashed independently.
func QuickXorHashBlob(b Blob) (string, error) {
	size := b.Size()
	workers := runtime.GOMAXPROCS(0)
	if size < parallelHashMin || workers < 2 {
		var h QuickXorHash
		if _, err := io.CopyBuffer(&h, Reader(b), make([]byte, 256<<10)); err != nil {
			return "", fmt.Errorf("quickxorhash: %w", err)
		}
		return h.Base64(), nil
	}
	segments := (size + hashSegment - 1) / hashSegment
	folds := make([]QuickXorHash, workers)
	var g errgroup.Group
	for w := 0; w < workers; w++ {
		g.Go(func() error {
			buf := make([]byte, 256<<10)
			h := &folds[w]
			for s := int64(w); s < segments; s += int64(workers) {
				off := s * hashSegment
				n := min(hashSegment, size-off)
				if _, err := io.CopyBuffer(h, io.NewSectionReader(b, off, n), buf); err != nil {
					return fmt.Errorf("quickxorhash at %d: %w", off, err)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return "", err
	}
	// Each worker wrote whole segments except possibly the last one, whose
	// offset is also period-aligned, so folds combine by XOR.
	var total QuickXorHash
	for _, f := range folds {
		for i := range total.fold {
			total.fold[i] ^= f.fold[i]
		}
	}
	total.n = size
	return total.Base64(), nil
}
