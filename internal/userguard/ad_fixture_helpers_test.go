package userguard

import (
	"encoding/binary"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/posture"
)

// fixtureAD decodes the activeDirectory source of inv.
func fixtureAD(tb testing.TB, inv *posture.Inventory) *ADInventory {
	tb.Helper()
	var ad ADInventory
	if err := json.Unmarshal(inv.Data[ADSourceKey], &ad); err != nil {
		tb.Fatal(err)
	}
	return &ad
}

// rbcdDescriptor builds O:BAD:(A;;0xf01ff;;;sid), the descriptor
// msDS-AllowedToActOnBehalfOfOtherIdentity holds.
func rbcdDescriptor(sid string) []byte {
	owner := encodeSID("S-1-5-32-544")
	trustee := encodeSID(sid)
	aceLen := 8 + len(trustee)
	ace := make([]byte, 8, aceLen)
	ace[0], ace[1] = aceAccessAllowed, 0
	binary.LittleEndian.PutUint16(ace[2:], uint16(aceLen))
	binary.LittleEndian.PutUint32(ace[4:], rightFullControl)
	ace = append(ace, trustee...)
	acl := make([]byte, 8, 8+len(ace))
	acl[0] = 2
	binary.LittleEndian.PutUint16(acl[2:], uint16(8+len(ace)))
	binary.LittleEndian.PutUint16(acl[4:], 1)
	acl = append(acl, ace...)
	sd := make([]byte, 20)
	sd[0] = 1
	binary.LittleEndian.PutUint16(sd[2:], 0x8004) // self-relative, DACL present
	binary.LittleEndian.PutUint32(sd[4:], 20)     // owner
	binary.LittleEndian.PutUint32(sd[16:], uint32(20+len(owner)))
	return append(append(sd, owner...), acl...)
}

// encodeSID is the inverse of decodeSID, for fixtures.
func encodeSID(s string) []byte {
	parts := strings.Split(s, "-")[1:] // "1", authority, subs…
	auth, _ := strconv.ParseUint(parts[1], 10, 48)
	b := []byte{1, byte(len(parts) - 2), 0, 0, 0, 0, 0, 0}
	for i := range 6 {
		b[7-i] = byte(auth >> (8 * i))
	}
	for _, p := range parts[2:] {
		n, _ := strconv.ParseUint(p, 10, 32)
		b = binary.LittleEndian.AppendUint32(b, uint32(n))
	}
	return b
}
