package secret

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
)

const redacted = "[redacted]"

// Secret holds a credential. Its zero value is the empty secret. It never
// prints, logs or marshals its value: only Reveal returns it, and only code
// that sends the credential should call Reveal.
type Secret struct{ v string }

// New wraps v.
func New(v string) Secret { return Secret{v: v} }

// Reveal returns the credential. Call it only where the value is sent.
func (s Secret) Reveal() string { return s.v }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.v == "" }

// String implements fmt.Stringer without revealing the value.
func (Secret) String() string { return redacted }

// GoString implements fmt.GoStringer without revealing the value.
func (Secret) GoString() string { return `"` + redacted + `"` }

// LogValue implements slog.LogValuer without revealing the value.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON implements json.Marshaler without revealing the value.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler (used by YAML encoders)
// without revealing the value.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Format implements fmt.Formatter so that every verb, %x and %q included,
// prints the redacted form.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, s.GoString())
		return
	}
	fmt.Fprint(f, redacted)
}

// ErrEmpty is returned when a source holds an empty credential.
var ErrEmpty = errors.New("secret is empty")

// FromFile reads a secret from path. One trailing newline (LF or CRLF) is
// removed, as editors and `echo` add one. An empty file is an error.
func FromFile(path string) (Secret, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Secret{}, fmt.Errorf("read secret file: %w", err)
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	if len(b) == 0 {
		return Secret{}, fmt.Errorf("secret file %s: %w", path, ErrEmpty)
	}
	return New(string(b)), nil
}

// FromEnv returns the secret in the environment variable name and whether it
// was set to a non-empty value. Surrounding whitespace is trimmed.
func FromEnv(name string) (Secret, bool) {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return Secret{}, false
	}
	return New(v), true
}
