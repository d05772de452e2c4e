package simtls

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// caLifetime is long because a CA written to SSL_CERT_FILE should outlive
// many emulator runs; leaves are reissued at every start.
const caLifetime = 10 * 365 * 24 * time.Hour

// backdate covers clients whose clock is a little behind the emulator's.
const backdate = time.Hour

// CA is a private certificate authority. Create it with NewCA or
// LoadOrCreate. A CA is safe for concurrent use.
type CA struct {
	cert    *x509.Certificate
	key     crypto.Signer
	certPEM []byte
	now     func() time.Time
}

// NewCA generates a CA valid from an hour before now() for ten years. now is
// also the clock for the leaves it issues; nil means time.Now.
func NewCA(now func() time.Time) (*CA, error) {
	if now == nil {
		now = time.Now
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate ca key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	t := now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			Organization: []string{"SafeGuard365 emulator"},
			CommonName:   "SafeGuard365 m365sim CA " + t.UTC().Format("2006-01-02T15:04:05Z"),
		},
		NotBefore: t.Add(-backdate),
		NotAfter:  t.Add(caLifetime),
		// Strict verifiers (Python 3.13's VERIFY_X509_STRICT, for one)
		// want a critical basicConstraints and a keyUsage on the CA; Go adds
		// the subject key ID that leaves then reference.
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("self-sign ca: %w", err)
	}
	return newCA(der, key, now)
}

func newCA(der []byte, key crypto.Signer, now func() time.Time) (*CA, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse ca certificate: %w", err)
	}
	if !cert.IsCA {
		return nil, errors.New("certificate is not a ca")
	}
	if !publicKeysEqual(cert.PublicKey, key.Public()) {
		return nil, errors.New("ca key does not match ca certificate")
	}
	return &CA{
		cert:    cert,
		key:     key,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		now:     now,
	}, nil
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}

// randomSerial returns a positive 128-bit serial number (RFC 5280 §4.1.2.2
// allows up to 20 octets; random serials keep reissued leaves distinct).
func randomSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("generate serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}

// Certificate returns the CA certificate. The caller must not modify it.
func (c *CA) Certificate() *x509.Certificate { return c.cert }

// CertPEM returns the CA certificate in PEM form, the content of an
// SSL_CERT_FILE. The caller must not modify the slice.
func (c *CA) CertPEM() []byte { return c.certPEM }

// Pool returns a new certificate pool holding only this CA, for
// tls.Config.RootCAs.
func (c *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.cert)
	return p
}

// WriteCAFile writes the CA certificate (public, mode 0644) to path, for
// SSL_CERT_FILE, NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE and the like.
func (c *CA) WriteCAFile(path string) error {
	if err := writeFileAtomic(path, c.certPEM, 0o644); err != nil {
		return fmt.Errorf("write ca file: %w", err)
	}
	return nil
}
