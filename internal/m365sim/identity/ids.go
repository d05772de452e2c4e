package identity

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"strings"
)

// isGUID reports whether s has the 8-4-4-4-12 hexadecimal shape Entra ID uses
// for tenant, client and object IDs.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

func isHex(c rune) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// formatGUID renders 16 bytes as a version-4-shaped GUID.
func formatGUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// randomGUID draws a GUID from rng; the caller serialises access to rng.
func randomGUID(rng *rand.Rand) string {
	var b [16]byte
	fillRandom(rng, b[:])
	return formatGUID(b)
}

func fillRandom(rng *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
}

// derivedGUID is a stable GUID for a name, so that the same tenant and app
// always get the same service principal object ID across emulator restarts.
func derivedGUID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.Join(parts, "\x00"))))
	var b [16]byte
	copy(b[:], sum[:16])
	return formatGUID(b)
}

// ServicePrincipalID returns the object ID of app clientID's service principal
// in tenant tenantID: the value of the "oid" and "sub" claims in the app's
// tokens. The emulated Graph can use it for /servicePrincipals.
func ServicePrincipalID(tenantID, clientID string) string {
	return derivedGUID("servicePrincipal", tenantID, clientID)
}
