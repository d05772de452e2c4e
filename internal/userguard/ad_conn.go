package userguard

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/safeguard365/safeguard365/internal/secret"
)

// Sentinel errors of CollectAD.
var (
	// ErrADConfig is wrapped when an ADConfig is unusable; nothing was sent.
	ErrADConfig = errors.New("invalid Active Directory settings")
	// ErrADAuth is wrapped when the domain controller refuses the bind.
	ErrADAuth = errors.New("active directory bind refused")
)

// ADConfig says how to reach and read a domain. The zero value is not
// usable: URL, BindUser and BindPassword are required.
type ADConfig struct {
	// URL is ldaps://host[:port], or ldap://host[:port] together with
	// StartTLS. Plain LDAP without TLS is refused: a simple bind would send
	// the password in clear text.
	URL      string
	StartTLS bool
	// BindUser is a UPN (reader@example.com), DOMAIN\user or a DN. The
	// account needs read access only.
	BindUser     string
	BindPassword secret.Secret
	// BaseDN defaults to the rootDSE's defaultNamingContext.
	BaseDN string
	// CAFile is a PEM bundle of CAs trusted for the server certificate, in
	// addition to the system pool.
	CAFile string
	// TLSServerName overrides the name checked in the server certificate
	// (default: the URL's host).
	TLSServerName      string
	InsecureSkipVerify bool
	// PageSize is the LDAP paging size; default 500 (AD's MaxPageSize is 1000).
	PageSize uint32
	// Timeout bounds the connection and each request; default 30s.
	Timeout time.Duration
	// Now stamps the inventory's collectedAt, against which age-based rules
	// measure; default time.Now.
	Now func() time.Time
}

func (c *ADConfig) validate() (*url.URL, error) {
	u, err := url.Parse(c.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%w: --ad %q: want ldaps://host or ldap://host with StartTLS", ErrADConfig, c.URL)
	}
	switch {
	case u.Scheme == "ldaps" && c.StartTLS:
		return nil, fmt.Errorf("%w: StartTLS needs an ldap:// URL, not ldaps://", ErrADConfig)
	case u.Scheme == "ldap" && !c.StartTLS:
		return nil, fmt.Errorf("%w: ldap:// without StartTLS would send the bind password in clear text; use ldaps:// or StartTLS", ErrADConfig)
	case u.Scheme != "ldap" && u.Scheme != "ldaps":
		return nil, fmt.Errorf("%w: URL scheme %q: want ldaps or ldap", ErrADConfig, u.Scheme)
	}
	if c.BindUser == "" || c.BindPassword.IsZero() {
		return nil, fmt.Errorf("%w: a bind user and password are required", ErrADConfig)
	}
	return u, nil
}

func (c *ADConfig) tlsConfig(u *url.URL) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: u.Hostname(), InsecureSkipVerify: c.InsecureSkipVerify} //nolint:gosec // opt-in flag
	if c.TLSServerName != "" {
		tc.ServerName = c.TLSServerName
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%w: CA file: %v", ErrADConfig, err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: CA file %s holds no PEM certificate", ErrADConfig, c.CAFile)
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

// adConn is a bound LDAP connection with paged, cancellable searches.
type adConn struct {
	c        *ldap.Conn
	pageSize uint32
	stop     func() bool // unregisters the context watcher
}

// dialAD connects, upgrades to TLS when asked, and binds. The connection
// is closed when ctx is cancelled.
func dialAD(ctx context.Context, cfg ADConfig) (*adConn, error) {
	u, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tc, err := cfg.tlsConfig(u)
	if err != nil {
		return nil, err
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []ldap.DialOpt{ldap.DialWithDialer(&net.Dialer{Timeout: timeout})}
	if u.Scheme == "ldaps" {
		opts = append(opts, ldap.DialWithTLSConfig(tc))
	}
	c, err := ldap.DialURL(u.String(), opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w%s", u.Host, err, certHint(err))
	}
	c.SetTimeout(timeout)
	conn := &adConn{c: c, pageSize: cfg.PageSize}
	if conn.pageSize == 0 {
		conn.pageSize = 500
	}
	conn.stop = context.AfterFunc(ctx, func() { c.Close() })
	if cfg.StartTLS {
		if err := c.StartTLS(tc); err != nil {
			conn.Close()
			if cerr := ctx.Err(); cerr != nil {
				return nil, cerr
			}
			return nil, fmt.Errorf("starttls with %s: %w%s", u.Host, err, certHint(err))
		}
	}
	if err := c.Bind(cfg.BindUser, cfg.BindPassword.Reveal()); err != nil {
		conn.Close()
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr // the watcher closed the connection
		}
		if ldap.IsErrorAnyOf(err, ldap.LDAPResultInvalidCredentials, ldap.LDAPResultInsufficientAccessRights,
			ldap.LDAPResultStrongAuthRequired, ldap.LDAPResultConfidentialityRequired) {
			return nil, fmt.Errorf("bind as %s: %w: %v", cfg.BindUser, ErrADAuth, err)
		}
		return nil, fmt.Errorf("bind as %s: %w", cfg.BindUser, err)
	}
	return conn, nil
}

// certHint explains a certificate Go refuses to parse. A Samba DC left
// with the self-signed certificate it generates on first start ("tls
// enabled = yes" without tls certfile) presents a negative serial number,
// which crypto/x509 rejects since Go 1.23.
func certHint(err error) string {
	if err == nil || !strings.Contains(err.Error(), "negative serial number") {
		return ""
	}
	return " (the DC's certificate has a negative serial number, as Samba's self-generated one does: " +
		"give the DC a certificate from your CA (smb.conf tls certfile/keyfile/cafile), " +
		"or run sg365 with GODEBUG=x509negativeserial=1 to accept it)"
}

// Close ends the connection.
func (a *adConn) Close() {
	a.stop()
	a.c.Close()
}

// errNoSuchObject is returned by search when the base does not exist.
var errNoSuchObject = errors.New("no such object")

// search runs a subtree (or, with scope, another) search page by page and
// returns every entry; referrals are ignored. A missing base returns
// errNoSuchObject.
func (a *adConn) search(ctx context.Context, base string, scope int, filter string, attrs []string, controls ...ldap.Control) ([]*ldap.Entry, error) {
	paging := ldap.NewControlPaging(a.pageSize)
	req := ldap.NewSearchRequest(base, scope, ldap.NeverDerefAliases, 0, 0, false, filter, attrs,
		append([]ldap.Control{paging}, controls...))
	var out []*ldap.Entry
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res, err := a.c.Search(req)
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return nil, cerr
			}
			if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
				return nil, fmt.Errorf("search %s: %w", base, errNoSuchObject)
			}
			return nil, fmt.Errorf("search %s %s: %w", base, filter, err)
		}
		out = append(out, res.Entries...)
		ctrl, _ := ldap.FindControl(res.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging)
		if ctrl == nil || len(ctrl.Cookie) == 0 {
			return out, nil
		}
		paging.SetCookie(ctrl.Cookie)
	}
}

// read returns the one object at dn (a base search without paging, which
// some servers refuse on the rootDSE).
func (a *adConn) read(ctx context.Context, dn string, attrs []string, controls ...ldap.Control) (*ldap.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	req := ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", attrs, controls)
	res, err := a.c.Search(req)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
			return nil, fmt.Errorf("read %q: %w", dn, errNoSuchObject)
		}
		return nil, fmt.Errorf("read %q: %w", dn, err)
	}
	if len(res.Entries) == 0 {
		return nil, fmt.Errorf("read %q: %w", dn, errNoSuchObject)
	}
	return res.Entries[0], nil
}
