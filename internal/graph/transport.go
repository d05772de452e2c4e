package graph

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
)

// newTransport clones http.DefaultTransport, sized for maxInFlight
// concurrent requests (the default of two idle connections per host would
// make a busy Client reconnect constantly), and trusting extra roots.
func newTransport(extra *x509.CertPool, maxInFlight int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = maxInFlight
	t.MaxIdleConns = 2 * maxInFlight
	if extra != nil {
		t.TLSClientConfig = extraRootsTLS(extra)
	}
	return t
}

// extraRootsTLS verifies servers against the system roots and, failing that,
// against extra. A tls.Config takes a single RootCAs pool and a CertPool
// cannot be merged or enumerated, so normal verification is switched off and
// VerifyConnection does the full chain and host name check itself, twice if
// needed (this is the pattern crypto/tls documents for custom verification).
func extraRootsTLS(extra *x509.CertPool) *tls.Config {
	system, err := x509.SystemCertPool()
	if err != nil {
		system = nil // no system pool: only the extra roots are trusted
	}
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // replaced by VerifyConnection below
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("tls: server sent no certificate")
			}
			inter := x509.NewCertPool()
			for _, c := range cs.PeerCertificates[1:] {
				inter.AddCert(c)
			}
			opts := x509.VerifyOptions{DNSName: cs.ServerName, Intermediates: inter}
			var sysErr error
			if system != nil {
				opts.Roots = system
				if _, sysErr = cs.PeerCertificates[0].Verify(opts); sysErr == nil {
					return nil
				}
			}
			opts.Roots = extra
			if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
				if sysErr != nil {
					return fmt.Errorf("tls: certificate not trusted by system roots (%v) or extra roots: %w", sysErr, err)
				}
				return err
			}
			return nil
		},
	}
}
