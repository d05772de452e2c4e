package userguard

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/secret"
)

// TestDialNegativeSerialHint serves LDAPS with a certificate whose serial
// number is negative, as Samba's self-generated one is, and checks that
// the connect error says what to do about it.
func TestDialNegativeSerialHint(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// crypto/x509 no longer writes negative serials, so write serial 0x05
	// and flip its sign bit in the DER: INTEGER 02 01 05 becomes 02 01 85.
	// The client rejects the certificate while parsing it, before any
	// signature check.
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(5), Subject: pkix.Name{CommonName: "dc1"},
		DNSNames: []string{"dc1"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(der, []byte{0x02, 0x01, 0x05})
	if i < 0 {
		t.Fatal("serial not found in the certificate")
	}
	der[i+2] = 0x85

	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				c.(*tls.Conn).Handshake() // fails: the client hangs up
				c.Close()
			}(c)
		}
	}()

	cfg := ADConfig{URL: "ldaps://" + ln.Addr().String(), BindUser: "reader@corp.example", BindPassword: secret.New("pw"),
		TLSServerName: "dc1", Timeout: 5 * time.Second}
	_, err = dialAD(t.Context(), cfg)
	if err == nil {
		t.Fatal("dial succeeded with a certificate Go cannot parse")
	}
	for _, want := range []string{"negative serial number", "GODEBUG=x509negativeserial=1", "tls certfile"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestCertHintOnlyForNegativeSerial(t *testing.T) {
	if h := certHint(nil); h != "" {
		t.Errorf("certHint(nil) = %q", h)
	}
	if h := certHint(x509.UnknownAuthorityError{}); h != "" {
		t.Errorf("certHint(unknown authority) = %q, want no hint", h)
	}
}
