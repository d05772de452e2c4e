package simtls

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// leafLifetime stays under the 398 days Apple platforms accept for a TLS
// server certificate (https://support.apple.com/en-us/102028).
const leafLifetime = 397 * 24 * time.Hour

// Leaf issues a server certificate whose subject alternative names cover
// hosts: IP addresses become IP SANs, everything else DNS SANs (lower-cased,
// a trailing dot dropped; wildcards such as "*.example.test" are allowed).
// Empty names are skipped, so a caller may pass an unset bind host;
// duplicates are kept once. The result is ready for tls.Config.Certificates.
func (c *CA) Leaf(hosts ...string) (tls.Certificate, error) {
	dns, ips, err := splitHosts(hosts)
	if err != nil {
		return tls.Certificate{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generate leaf key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return tls.Certificate{}, err
	}
	now := c.now()
	notAfter := now.Add(leafLifetime)
	if notAfter.After(c.cert.NotAfter) {
		notAfter = c.cert.NotAfter // a leaf cannot outlive its issuer
	}
	cn := commonName(dns, ips)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{Organization: []string{"SafeGuard365 emulator"}, CommonName: cn},
		NotBefore:    now.Add(-backdate),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     dns,
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.cert, key.Public(), c.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("issue leaf for %s: %w", strings.Join(hosts, ", "), err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("parse leaf: %w", err)
	}
	// The chain includes the CA so clients that were given only the root
	// as a trust anchor still see the full path.
	return tls.Certificate{Certificate: [][]byte{der, c.cert.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

// commonName picks the subject common name: the first DNS name, else the first IP.
func commonName(dns []string, ips []net.IP) string {
	if len(dns) > 0 {
		return dns[0]
	}
	return ips[0].String()
}

func splitHosts(hosts []string) ([]string, []net.IP, error) {
	var dns []string
	var ips []net.IP
	seen := map[string]bool{}
	for _, h := range hosts {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if ip := net.ParseIP(strings.Trim(h, "[]")); ip != nil {
			if !seen[ip.String()] {
				seen[ip.String()] = true
				ips = append(ips, ip)
			}
			continue
		}
		name := strings.TrimSuffix(strings.ToLower(h), ".")
		if err := checkDNSName(name); err != nil {
			return nil, nil, fmt.Errorf("leaf host %q: %w", h, err)
		}
		if !seen[name] {
			seen[name] = true
			dns = append(dns, name)
		}
	}
	if len(dns) == 0 && len(ips) == 0 {
		return nil, nil, errors.New("leaf: no host names given")
	}
	return dns, ips, nil
}

// checkDNSName accepts LDH labels (RFC 1123) and a leading "*." wildcard.
// It refuses host:port, which is a common slip when passing a bind address.
func checkDNSName(name string) error {
	labels := strings.Split(strings.TrimPrefix(name, "*."), ".")
	if len(name) > 253 {
		return errors.New("name longer than 253 bytes")
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return errors.New("empty or over-long label")
		}
		for _, ch := range l {
			if !('a' <= ch && ch <= 'z' || '0' <= ch && ch <= '9' || ch == '-' || ch == '_') {
				return fmt.Errorf("character %q is not allowed in a DNS name", ch)
			}
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return errors.New("label starts or ends with a hyphen")
		}
	}
	return nil
}
