package identity

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// jwsHeader holds the JOSE header fields this package reads or writes.
type jwsHeader struct {
	Alg     string `json:"alg"`
	Typ     string `json:"typ,omitempty"`
	X5t     string `json:"x5t,omitempty"`
	Kid     string `json:"kid,omitempty"`
	X5tS256 string `json:"x5t#S256,omitempty"`
}

// jws is a parsed JWS compact serialisation (RFC 7515 §7.1) whose signature
// has not been checked yet.
type jws struct {
	header       jwsHeader
	payload      []byte
	signingInput string // "header.payload" as received
	signature    []byte
}

var (
	errNotCompact = errors.New("not a JWS compact serialisation")
	errNoDots     = errors.New("no dots")
)

// b64 is strict base64url without padding (RFC 7515 §2). Strict decoding
// refuses non-zero padding bits, so each signature has exactly one encoding
// and an altered token string can never verify.
var b64 = base64.RawURLEncoding.Strict()

// parseJWS splits and decodes s. It checks structure only.
func parseJWS(s string) (*jws, error) {
	if !strings.Contains(s, ".") {
		return nil, errNoDots
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: %d parts", errNotCompact, len(parts))
	}
	// Base64 decoders skip CR and LF even in strict mode; refusing every
	// byte outside the base64url alphabet keeps one encoding per token.
	if i := strings.IndexFunc(s, func(c rune) bool { return c != '.' && !isB64URL(c) }); i >= 0 {
		return nil, fmt.Errorf("%w: byte %d is not base64url", errNotCompact, i)
	}
	hdr, err := b64.DecodeString(parts[0])
	if err != nil {
		return nil, fmt.Errorf("decode header: %w", err)
	}
	payload, err := b64.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("decode payload: %w", err)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("decode signature: %w", err)
	}
	j := &jws{payload: payload, signingInput: parts[0] + "." + parts[1], signature: sig}
	if err := json.Unmarshal(hdr, &j.header); err != nil {
		return nil, fmt.Errorf("decode header json: %w", err)
	}
	return j, nil
}

func isB64URL(c rune) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// verifyRSA checks the signature with pub for alg RS256 (RFC 7518 §3.3) or
// PS256 (§3.5, salt length equal to the hash length). Every other alg,
// including "none" and HMAC, is refused.
func (j *jws) verifyRSA(pub *rsa.PublicKey) error {
	sum := sha256.Sum256([]byte(j.signingInput))
	switch j.header.Alg {
	case "RS256":
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], j.signature)
	case "PS256":
		return rsa.VerifyPSS(pub, crypto.SHA256, sum[:], j.signature,
			&rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256})
	default:
		return fmt.Errorf("unsupported alg %q", j.header.Alg)
	}
}

// signRS256 serialises header and claims and signs them with key.
func signRS256(key *rsa.PrivateKey, header jwsHeader, claims any) (string, error) {
	header.Alg = "RS256"
	h, err := json.Marshal(header)
	if err != nil {
		return "", fmt.Errorf("encode jws header: %w", err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("encode jws claims: %w", err)
	}
	input := b64.EncodeToString(h) + "." + b64.EncodeToString(c)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return input + "." + b64.EncodeToString(sig), nil
}

// numericDate is a JWT NumericDate (RFC 7519 §2): seconds since the epoch,
// possibly fractional. Values outside a sane range fail to decode, so later
// arithmetic cannot overflow.
type numericDate struct{ unix int64 }

func (d *numericDate) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("numeric date: %w", err)
	}
	f, err := n.Float64()
	if err != nil || f < 0 || f > 1<<40 {
		return fmt.Errorf("numeric date %s out of range", n)
	}
	d.unix = int64(f)
	return nil
}

// audience is the JWT "aud" claim: a string or an array of strings
// (RFC 7519 §4.1.3).
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("aud: %w", err)
	}
	*a = many
	return nil
}

// decodeBase64Any accepts the encodings clients use for certificate
// thumbprints: RFC 7515 says base64url, while MSAL for Go sends standard
// base64 with padding.
func decodeBase64Any(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("thumbprint is not base64")
}
