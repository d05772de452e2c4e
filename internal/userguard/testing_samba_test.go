//go:build linux

package userguard

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/go-ldap/ldap/v3"
)

// The Samba AD DC fixture: one domain controller per test binary,
// provisioned in a temporary directory, listening on 127.0.0.1 only (it
// needs the standard ports 53, 88, 389, 636, …), seeded with the planted
// weaknesses below and stopped by PID in TestMain. Tests call
// requireSamba. Where Samba cannot run (not root, packages missing, ports
// taken) they skip with the reason, unless SG365_REQUIRE_SAMBA=1
// (scripts/test.sh sets it), in which case they fail. -short always skips.
//
// Recipe: ../shared/research/samba_ad_fixture.sh. Needs the Debian
// packages samba, samba-ad-dc, samba-ad-provision and ldb-tools.

const (
	sambaRealm    = "TEST.LOCAL"
	sambaBaseDN   = "DC=test,DC=local"
	sambaHost     = "dc1.test.local"
	sambaAdminPwd = "Passw0rd!Passw0rd"
	sambaUserPwd  = "Passw0rd!User1234"
	// sambaLock serialises fixtures of concurrent test binaries: they all
	// need the same ports.
	sambaLock = "/tmp/sg365-samba-ad.lock"
)

// sambaDC describes the running fixture.
type sambaDC struct {
	LDAPS, LDAP string // ldaps://127.0.0.1:636, ldap://127.0.0.1:389 (StartTLS)
	CAFile      string
	BindUser    string
	Password    string
	Seeded      time.Time // when the planted objects were written
	Timing      []string  // "provision 5.1s", … for the test log

	dir  string
	cmd  *exec.Cmd
	lock *os.File
	wg   sync.WaitGroup
	done chan struct{} // closed when samba exits
}

var (
	sambaOnce sync.Once
	theSamba  *sambaDC
	sambaErr  error // why the fixture is unavailable
	// sambaEnv is true when sambaErr is environmental (skip) rather than a
	// broken fixture (always fail).
	sambaEnv bool
)

func TestMain(m *testing.M) {
	code := m.Run()
	if theSamba != nil {
		theSamba.stop()
	}
	if sambaErr != nil && sambaEnv && os.Getenv("SG365_REQUIRE_SAMBA") != "1" {
		fmt.Fprintf(os.Stderr, "userguard: Samba AD DC tests SKIPPED: %v\n", sambaErr)
	}
	os.Exit(code)
}

// requireSamba returns the shared domain controller, starting it on first use.
func requireSamba(t *testing.T) *sambaDC {
	t.Helper()
	sambaOnce.Do(func() { theSamba, sambaErr = startSamba() })
	if sambaErr != nil {
		if sambaEnv && testing.Short() {
			t.Skip("Samba AD DC tests skipped in -short mode")
		}
		if !sambaEnv || os.Getenv("SG365_REQUIRE_SAMBA") == "1" {
			t.Fatalf("Samba AD DC fixture: %v", sambaErr)
		}
		t.Skipf("Samba AD DC fixture unavailable (set SG365_REQUIRE_SAMBA=1 to fail instead): %v", sambaErr)
	}
	return theSamba
}

// unavailable marks an environmental reason to skip.
func unavailable(format string, args ...any) error {
	sambaEnv = true
	return fmt.Errorf(format, args...)
}

func startSamba() (*sambaDC, error) {
	if testing.Short() {
		return nil, unavailable("-short")
	}
	if os.Geteuid() != 0 {
		return nil, unavailable("not root (samba needs the privileged ports)")
	}
	for _, bin := range []string{"samba", "samba-tool", "ldbmodify"} {
		if _, err := exec.LookPath(bin); err != nil {
			return nil, unavailable("%s not installed (apt-get install samba samba-ad-dc samba-ad-provision ldb-tools)", bin)
		}
	}
	if _, err := os.Stat("/usr/share/samba/setup/ad-schema"); err != nil {
		return nil, unavailable("samba-ad-provision not installed")
	}
	s := &sambaDC{LDAPS: "ldaps://127.0.0.1:636", LDAP: "ldap://127.0.0.1:389", BindUser: "Administrator@test.local",
		Password: sambaAdminPwd, done: make(chan struct{})}
	var err error
	if s.lock, err = lockFile(sambaLock, 3*time.Minute); err != nil {
		return nil, unavailable("another Samba fixture holds %s: %v", sambaLock, err)
	}
	for _, port := range []string{"389", "636", "88"} {
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second); err == nil {
			c.Close()
			s.lock.Close()
			return nil, unavailable("port %s is already in use (a second directory server?)", port)
		}
	}
	if s.dir, err = os.MkdirTemp("", "sg365-samba-"); err != nil {
		s.lock.Close()
		return nil, err
	}
	if err := s.provisionAndStart(); err != nil {
		s.stop()
		return nil, err
	}
	t0 := time.Now()
	if err := s.seed(context.Background()); err != nil {
		s.stop()
		return nil, fmt.Errorf("seed: %w", err)
	}
	s.Timing = append(s.Timing, "seed "+time.Since(t0).Round(10*time.Millisecond).String())
	return s, nil
}

func lockFile(path string, wait time.Duration) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(wait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return f, nil
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, err
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func (s *sambaDC) run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

func (s *sambaDC) provisionAndStart() error {
	t0 := time.Now()
	if err := s.run("samba-tool", "domain", "provision", "--realm="+sambaRealm, "--domain=TEST", "--server-role=dc",
		"--dns-backend=SAMBA_INTERNAL", "--host-name=dc1", "--adminpass="+sambaAdminPwd, "--targetdir="+s.dir,
		"--option=interfaces=lo", "--option=bind interfaces only=yes"); err != nil {
		return err
	}
	s.Timing = append(s.Timing, "provision "+time.Since(t0).Round(10*time.Millisecond).String())
	// Our own certificate: Samba's self-signed one can have a negative
	// serial number, which Go's x509 rejects, and it lets the tests verify
	// the server properly (CA file and server name).
	tlsDir := filepath.Join(s.dir, "tls")
	if err := writeTestCerts(tlsDir); err != nil {
		return err
	}
	s.CAFile = filepath.Join(tlsDir, "ca.pem")
	conf := filepath.Join(s.dir, "etc", "smb.conf")
	b, err := os.ReadFile(conf)
	if err != nil {
		return err
	}
	extra := fmt.Sprintf("\tlog file = %s/log.%%m\n\tdisable spoolss = yes\n\tload printers = no\n\ttls enabled = yes\n"+
		"\ttls keyfile = %s/key.pem\n\ttls certfile = %s/cert.pem\n\ttls cafile = %s/ca.pem\n", s.dir, tlsDir, tlsDir, tlsDir)
	txt := strings.Replace(string(b), "\tlog file = /var/log/samba/log.%m\n", "", 1)
	txt = strings.Replace(txt, "[global]\n", "[global]\n"+extra, 1)
	if err := os.WriteFile(conf, []byte(txt), 0o644); err != nil {
		return err
	}
	t1 := time.Now()
	logf, err := os.Create(filepath.Join(s.dir, "samba.log"))
	if err != nil {
		return err
	}
	s.cmd = exec.Command("samba", "-i", "-s", conf)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	// Pdeathsig: a crashed test binary must not leave a DC behind.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := s.cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.cmd.Wait()
		logf.Close()
		close(s.done)
	}()
	for deadline := time.Now().Add(60 * time.Second); ; {
		c, err := s.dial(context.Background(), s.LDAPS, false)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-s.done:
			log, _ := os.ReadFile(filepath.Join(s.dir, "samba.log"))
			return fmt.Errorf("samba exited during start-up: %s", tail(string(log), 2000))
		case <-time.After(250 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("samba did not answer LDAPS within 60s: %v", err)
		}
	}
	s.Timing = append(s.Timing, "start "+time.Since(t1).Round(10*time.Millisecond).String())
	return nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// stop ends samba by PID (SIGTERM tears down its children; SIGKILL to its
// own process group after 15 s), removes the directory and frees the lock.
func (s *sambaDC) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(15 * time.Second):
			syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		}
		s.wg.Wait()
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
	if s.lock != nil {
		s.lock.Close()
	}
}

// tlsConfig trusts the fixture's CA for the DC's name.
func (s *sambaDC) tlsConfig() *tls.Config {
	pem, _ := os.ReadFile(s.CAFile)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &tls.Config{RootCAs: pool, ServerName: sambaHost, MinVersion: tls.VersionTLS12}
}

// dial binds as Administrator, over LDAPS or (startTLS) ldap:// + StartTLS.
func (s *sambaDC) dial(_ context.Context, url string, startTLS bool) (*ldap.Conn, error) {
	c, err := ldap.DialURL(url, ldap.DialWithTLSConfig(s.tlsConfig()))
	if err != nil {
		return nil, err
	}
	if startTLS {
		if err := c.StartTLS(s.tlsConfig()); err != nil {
			c.Close()
			return nil, err
		}
	}
	if err := c.Bind(s.BindUser, s.Password); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// writeTestCerts writes ca.pem, cert.pem and key.pem (mode 0600, as Samba
// requires) for sambaHost and 127.0.0.1.
func writeTestCerts(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sg365 test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: sambaHost},
		DNSNames: []string{sambaHost}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	for name, blk := range map[string]*pem.Block{"ca.pem": {Type: "CERTIFICATE", Bytes: caDER},
		"cert.pem": {Type: "CERTIFICATE", Bytes: der}, "key.pem": {Type: "EC PRIVATE KEY", Bytes: keyDER}} {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(blk), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// The planted weaknesses. Every other object of the domain is as Samba
// provisions it; dave and CLEAN01$ are clean on purpose.
const (
	uacNormal      = 0x200
	uacWorkstation = 0x1000
)

type seedUser struct {
	name  string
	uac   int
	spn   string
	attrs map[string][]string
}

var seedUsers = []seedUser{
	{"alice", uacNormal, "", nil},                                       // sIDHistory (ldbmodify below)
	{"bob", uacNormal | 0x400000, "", nil},                              // AS-REP roastable
	{"svc_sql", uacNormal, "MSSQLSvc/sql01.test.local:1433", nil},       // kerberoastable
	{"svc_admin", uacNormal, "HTTP/web01.test.local", nil},              // kerberoastable, Domain Admins
	{"olduser", uacNormal, "", nil},                                     // stale (lastLogonTimestamp in 2016)
	{"carol", uacNormal | 0x10000, "", nil},                             // password never expires
	{"orphan", uacNormal, "", map[string][]string{"adminCount": {"1"}}}, // AdminSDHolder orphan
	{"syncer", uacNormal, "", nil},                                      // DCSync rights (dsacl below)
	{"dave", uacNormal, "", nil},                                        // clean
}

const (
	plantedSIDHistory = "S-1-5-21-1111111111-2222222222-3333333333-1105"
	oldLogon          = "131000000000000000" // 2016-02-15
)

func userDN(name string) string { return "CN=" + name + ",CN=Users," + sambaBaseDN }

func computerDN(name string) string { return "CN=" + name + ",CN=Computers," + sambaBaseDN }

func unicodePwd(p string) string {
	u := utf16.Encode([]rune(`"` + p + `"`))
	b := make([]byte, 2*len(u))
	for i, r := range u {
		binary.LittleEndian.PutUint16(b[2*i:], r)
	}
	return string(b)
}

func (s *sambaDC) seed(ctx context.Context) error {
	c, err := s.dial(ctx, s.LDAPS, false)
	if err != nil {
		return err
	}
	defer c.Close()
	for _, u := range seedUsers {
		req := ldap.NewAddRequest(userDN(u.name), nil)
		req.Attribute("objectClass", []string{"top", "person", "organizationalPerson", "user"})
		req.Attribute("sAMAccountName", []string{u.name})
		req.Attribute("userPrincipalName", []string{u.name + "@test.local"})
		req.Attribute("unicodePwd", []string{unicodePwd(sambaUserPwd)})
		req.Attribute("userAccountControl", []string{strconv.Itoa(u.uac)})
		if u.spn != "" {
			req.Attribute("servicePrincipalName", []string{u.spn})
		}
		for k, v := range u.attrs {
			req.Attribute(k, v)
		}
		if err := c.Add(req); err != nil {
			return fmt.Errorf("add %s: %w", u.name, err)
		}
	}
	m := ldap.NewModifyRequest("CN=Domain Admins,CN=Users,"+sambaBaseDN, nil)
	m.Add("member", []string{userDN("svc_admin")})
	if err := c.Modify(m); err != nil {
		return fmt.Errorf("add svc_admin to Domain Admins: %w", err)
	}
	for _, comp := range []struct {
		name  string
		uac   int
		deleg []string
	}{
		{"APP01", uacWorkstation | 0x80000, nil},                                // unconstrained delegation
		{"WS01", uacWorkstation | 0x1000000, []string{"cifs/app01.test.local"}}, // constrained + protocol transition
		{"CLEAN01", uacWorkstation, nil},                                        // clean
	} {
		req := ldap.NewAddRequest(computerDN(comp.name), nil)
		req.Attribute("objectClass", []string{"top", "person", "organizationalPerson", "user", "computer"})
		req.Attribute("sAMAccountName", []string{comp.name + "$"})
		req.Attribute("dNSHostName", []string{strings.ToLower(comp.name) + ".test.local"})
		req.Attribute("unicodePwd", []string{unicodePwd(sambaUserPwd)})
		req.Attribute("userAccountControl", []string{strconv.Itoa(comp.uac)})
		if comp.deleg != nil {
			req.Attribute("msDS-AllowedToDelegateTo", comp.deleg)
		}
		if err := c.Add(req); err != nil {
			return fmt.Errorf("add %s: %w", comp.name, err)
		}
	}
	syncer, err := objectSID(c, userDN("syncer"))
	if err != nil {
		return err
	}
	conf := filepath.Join(s.dir, "etc", "smb.conf")
	// RBCD: APP01 lets WS01 act on behalf of users. Samba lets only the
	// system write the descriptor over LDAP; samba-tool writes it locally.
	if err := s.run("samba-tool", "delegation", "add-principal", "APP01$", "WS01$", "-s", conf); err != nil {
		return err
	}
	if err := s.run("samba-tool", "dsacl", "set", "-s", conf, "--objectdn="+sambaBaseDN,
		fmt.Sprintf("--sddl=(OA;;CR;%s;;%s)(OA;;CR;%s;;%s)", guidGetChanges, syncer, guidGetChangesAll, syncer)); err != nil {
		return err
	}
	s.Seeded = time.Now().UTC()
	// sIDHistory and lastLogonTimestamp cannot be written over LDAP; the
	// local database with the relax control can. Every enabled account
	// except olduser "logged on" 199 days after seeding, so evaluating at
	// Seeded+200d finds exactly olduser stale (pwdLastSet cannot be
	// back-dated, so age-based rules move the clock instead).
	res, err := c.Search(ldap.NewSearchRequest(sambaBaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		"(&(objectClass=user)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))", []string{"sAMAccountName"}, nil))
	if err != nil {
		return err
	}
	recent := strconv.FormatInt(s.Seeded.Add(199*24*time.Hour).UnixNano()/100+fileTimeEpoch, 10)
	var ldif strings.Builder
	for _, e := range res.Entries {
		v := recent
		if e.GetAttributeValue("sAMAccountName") == "olduser" {
			v = oldLogon
		}
		fmt.Fprintf(&ldif, "dn: %s\nchangetype: modify\nreplace: lastLogonTimestamp\nlastLogonTimestamp: %s\n", e.DN, v)
		if e.DN == userDN("alice") {
			fmt.Fprintf(&ldif, "-\nadd: sIDHistory\nsIDHistory: %s\n", plantedSIDHistory)
		}
		ldif.WriteString("\n")
	}
	path := filepath.Join(s.dir, "seed.ldif")
	if err := os.WriteFile(path, []byte(ldif.String()), 0o600); err != nil {
		return err
	}
	return s.run("ldbmodify", "-H", filepath.Join(s.dir, "private", "sam.ldb"), "--controls=relax:0", path)
}

func objectSID(c *ldap.Conn, dn string) (string, error) {
	res, err := c.Search(ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"objectSid"}, nil))
	if err != nil || len(res.Entries) == 0 {
		return "", fmt.Errorf("objectSid of %s: %v", dn, err)
	}
	sid, _, err := decodeSID(res.Entries[0].GetRawAttributeValue("objectSid"))
	return sid, err
}
