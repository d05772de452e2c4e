package identity

import (
	"crypto/subtle"
	"log/slog"
)

// Secret holds a client secret. It never prints, logs or marshals its value;
// call Reveal where the value must be shown to its owner (for example when
// `sg365 sim serve` prints the credentials it generated).
type Secret struct{ v string }

// NewSecret wraps v.
func NewSecret(v string) Secret { return Secret{v: v} }

// Reveal returns the secret value.
func (s Secret) Reveal() string { return s.v }

// String implements fmt.Stringer without revealing the value.
func (Secret) String() string { return "[redacted]" }

// GoString implements fmt.GoStringer without revealing the value.
func (Secret) GoString() string { return `"[redacted]"` }

// LogValue implements slog.LogValuer without revealing the value.
func (Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// MarshalJSON implements json.Marshaler without revealing the value.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"[redacted]"`), nil }

// matches compares in constant time, so response timing does not reveal how
// much of a guessed secret was right.
func (s Secret) matches(got string) bool {
	return s.v != "" && subtle.ConstantTimeCompare([]byte(s.v), []byte(got)) == 1
}
