package simtls

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// File names inside a CA directory.
const (
	CertFile = "ca.pem"     // CA certificate, PEM, mode 0644: hand this to clients
	KeyFile  = "ca-key.pem" // CA private key, PKCS #8 PEM, mode 0600
)

// Save writes the CA certificate and private key into dir, creating dir
// (mode 0700) if needed. The key file is written with mode 0600.
func (c *CA) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save ca: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(c.key)
	if err != nil {
		return fmt.Errorf("save ca: encode key: %w", err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := writeFileAtomic(filepath.Join(dir, KeyFile), keyPEM, 0o600); err != nil {
		return fmt.Errorf("save ca key: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, CertFile), c.certPEM, 0o644); err != nil {
		return fmt.Errorf("save ca certificate: %w", err)
	}
	return nil
}

// Load reads a CA saved by Save from dir. It refuses a key file that other
// users can read, and a CA that has expired at now(); now (nil: time.Now) is
// also the clock for issued leaves. A missing directory or file yields an
// error satisfying errors.Is(err, fs.ErrNotExist).
func Load(dir string, now func() time.Time) (*CA, error) {
	if now == nil {
		now = time.Now
	}
	keyPath := filepath.Join(dir, KeyFile)
	if err := checkKeyPerm(keyPath); err != nil {
		return nil, fmt.Errorf("load ca: %w", err)
	}
	certDER, err := readPEM(filepath.Join(dir, CertFile), "CERTIFICATE")
	if err != nil {
		return nil, fmt.Errorf("load ca: %w", err)
	}
	keyDER, err := readPEM(keyPath, "PRIVATE KEY")
	if err != nil {
		return nil, fmt.Errorf("load ca: %w", err)
	}
	k, err := x509.ParsePKCS8PrivateKey(keyDER)
	if err != nil {
		return nil, fmt.Errorf("load ca: parse %s: %w", keyPath, err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("load ca: %s holds a %T, not a signing key", keyPath, k)
	}
	ca, err := newCA(certDER, signer, now)
	if err != nil {
		return nil, fmt.Errorf("load ca from %s: %w", dir, err)
	}
	if t := now(); t.After(ca.cert.NotAfter) {
		return nil, fmt.Errorf("load ca from %s: expired at %s; delete the directory to create a new ca",
			dir, ca.cert.NotAfter.UTC().Format(time.RFC3339))
	}
	return ca, nil
}

// LoadOrCreate loads the CA in dir, or creates and saves a new one when dir
// holds none. created reports which happened, so the caller can tell the user
// to (re)distribute the CA file. A damaged or expired CA is an error, not a
// reason to replace it: clients may still trust the old one.
func LoadOrCreate(dir string, now func() time.Time) (ca *CA, created bool, err error) {
	ca, err = Load(dir, now)
	if err == nil {
		return ca, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	for _, name := range []string{CertFile, KeyFile} {
		if _, statErr := os.Stat(filepath.Join(dir, name)); !errors.Is(statErr, fs.ErrNotExist) {
			return nil, false, err // half a CA is damage to report, not to overwrite
		}
	}
	ca, err = NewCA(now)
	if err != nil {
		return nil, false, err
	}
	if err := ca.Save(dir); err != nil {
		return nil, false, err
	}
	return ca, true, nil
}

func readPEM(path, wantType string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != wantType {
		return nil, fmt.Errorf("%s: no %s PEM block", path, wantType)
	}
	return block.Bytes, nil
}

// writeFileAtomic writes data to a temporary file in the same directory and
// renames it over path, so a crash never leaves a half-written key and the
// mode is perm even when path already existed with another mode.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
