package tenant

import (
	"bytes"
	"encoding/base64"
	"io"
	"testing"
)

// quickXorReference is the algorithm as Microsoft's pseudo-code states it,
// bit by bit: byte i is XORed in at bit 11*i mod 160, and the length goes,
// little-endian, into the last 8 bytes.
func quickXorReference(data []byte) string {
	var out [20]byte
	for i, c := range data {
		for b := 0; b < 8; b++ {
			if c&(1<<b) != 0 {
				bit := (11*i + b) % 160
				out[bit/8] ^= 1 << (bit % 8)
			}
		}
	}
	n := uint64(len(data))
	for i := 0; i < 8; i++ {
		out[12+i] ^= byte(n >> (8 * i))
	}
	return base64.StdEncoding.EncodeToString(out[:])
}

func TestQuickXorHashVectors(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="},
		// Published for "hello world" by independent implementations.
		{"hello world", "aCgDG9jwBhDc4Q1yawMZAAAAAAA="},
	} {
		var h QuickXorHash
		h.Write([]byte(tc.in))
		if got := h.Base64(); got != tc.want {
			t.Errorf("QuickXorHash(%q) = %s, want %s", tc.in, got, tc.want)
		}
		if got := quickXorReference([]byte(tc.in)); got != tc.want {
			t.Errorf("reference(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestQuickXorHashChunking checks that the folded, word-at-a-time hash
// equals the bit-by-bit reference however the input is split.
func TestQuickXorHashChunking(t *testing.T) {
	data := make([]byte, 5000)
	Generated{Seed: 99, Len: int64(len(data))}.ReadAt(data, 0)
	want := quickXorReference(data)
	for _, chunk := range []int{1, 7, 159, 160, 161, 320, 1000, 4096, 5000} {
		var h QuickXorHash
		for off := 0; off < len(data); off += chunk {
			h.Write(data[off:min(off+chunk, len(data))])
		}
		if got := h.Base64(); got != want {
			t.Errorf("chunk %d: %s, want %s", chunk, got, want)
		}
	}
	for _, n := range []int{1, 159, 160, 161, 2047} {
		var h QuickXorHash
		h.Write(data[:n])
		if got, want := h.Base64(), quickXorReference(data[:n]); got != want {
			t.Errorf("%d bytes: %s, want %s", n, got, want)
		}
	}
}

// TestQuickXorHashBlobParallel hashes a blob large enough for the
// multi-core path and compares it with one sequential pass.
func TestQuickXorHashBlobParallel(t *testing.T) {
	b := Generated{Seed: 5, Len: parallelHashMin + 3*hashSegment + 12345}
	var h QuickXorHash
	if _, err := io.Copy(&h, Reader(b)); err != nil {
		t.Fatal(err)
	}
	got, err := QuickXorHashBlob(b)
	if err != nil {
		t.Fatal(err)
	}
	if want := h.Base64(); got != want {
		t.Errorf("QuickXorHashBlob = %s, sequential %s", got, want)
	}
	small := Bytes("hello world")
	if got, _ := QuickXorHashBlob(small); got != "aCgDG9jwBhDc4Q1yawMZAAAAAAA=" {
		t.Errorf("small blob: %s", got)
	}
	if sum := h.Sum([]byte("x")); !bytes.HasPrefix(sum, []byte("x")) || len(sum) != 1+QuickXorSize {
		t.Errorf("Sum appends %d bytes", len(sum)-1)
	}
}
