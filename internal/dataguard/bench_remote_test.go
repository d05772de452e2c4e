package dataguard

import (
	"bufio"
	"crypto/x509"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/repo"
	"github.com/safeguard365/safeguard365/internal/secret"
)

// emulatorChildEnv holds the tenant.GenOptions (JSON) of the emulator that
// TestEmulatorChild serves for a benchmark in the parent process.
const emulatorChildEnv = "SG365_BENCH_EMULATOR_CHILD"

// childGen is tenant.GenOptions without its clock, which JSON cannot carry.
type childGen tenant.GenOptions

func (g childGen) MarshalJSON() ([]byte, error) {
	type plain struct {
		Seed                                                   uint64
		Users, MessagesPerUser, EventsPerUser, ContactsPerUser int
		FilesPerUser                                           int
		MaxFileSize, MaxMessageSize, LargeFileSize             int64
		LargeFiles                                             int
	}
	return json.Marshal(plain{g.Seed, g.Users, g.MessagesPerUser, g.EventsPerUser, g.ContactsPerUser, g.FilesPerUser,
		g.MaxFileSize, g.MaxMessageSize, g.LargeFileSize, g.LargeFiles})
}

// remoteEmulator is what the child tells the parent on its first line.
type remoteEmulator struct {
	TenantID, ClientID, ClientSecret, AuthorityHost, GraphURL, CAFile string
}

// TestEmulatorChild serves a generated tenant until its stdin closes, so
// that a benchmark can measure the memory of a backup without the
// emulator's in the same process.
func TestEmulatorChild(t *testing.T) {
	cfg := os.Getenv(emulatorChildEnv)
	if cfg == "" {
		t.Skip("run by the memory benchmarks")
	}
	var gen childGen
	if err := json.Unmarshal([]byte(cfg), &gen); err != nil {
		t.Fatal(err)
	}
	tn, err := tenant.Generate(tenant.GenOptions(gen))
	if err != nil {
		t.Fatal(err)
	}
	// Outlook's limit of 10,000 requests per 10 minutes per mailbox would
	// make a 100,000-message mailbox take well over an hour; this
	// benchmark measures memory, so the windows are shrunk 60 times.
	lim := limits.DefaultConfig()
	lim.TimeScale = 60
	s, err := m365sim.NewWithTenant(tn, m365sim.Options{Limits: &lim})
	if err != nil {
		t.Fatal(err)
	}
	l, err := m365sim.Listen(s, m365sim.ListenOptions{TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := l.CA.WriteCAFile(ca); err != nil {
		t.Fatal(err)
	}
	json.NewEncoder(os.Stdout).Encode(remoteEmulator{l.TenantID, l.ClientID, l.ClientSecret, l.AuthorityHost, l.GraphURL, ca})
	bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes stdin
}

// startRemoteEmulator starts TestEmulatorChild for gen and returns a
// client for it.
func startRemoteEmulator(b *testing.B, gen tenant.GenOptions) (*graph.Client, string) {
	gen.Clock = nil
	cfg, err := json.Marshal(childGen(gen))
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestEmulatorChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), emulatorChildEnv+"="+string(cfg))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); cmd.Wait() })
	var re remoteEmulator
	if err := json.NewDecoder(stdout).Decode(&re); err != nil {
		b.Fatalf("emulator child: %v", err)
	}
	pem, err := os.ReadFile(re.CAFile)
	if err != nil {
		b.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c, err := graph.New(graph.Config{TenantID: re.TenantID, ClientID: re.ClientID, Secret: secret.New(re.ClientSecret),
		AuthorityHost: re.AuthorityHost, GraphURL: re.GraphURL, CACerts: pool}, graph.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return c, re.TenantID
}

// memoryRun backs up the tenant gen, served by an emulator in another
// process, b.N times into fresh repositories, and reports this process's
// peak RSS (VmHWM, reset before each run; it holds the backup alone) and
// peak live heap.
func memoryRun(b *testing.B, gen tenant.GenOptions, workloads []string) {
	c, tenantID := startRemoteEmulator(b, gen)
	var last Summary
	var peak uint64
	for range b.N {
		b.StopTimer()
		r := repo.TestRepository(b)
		resetPeakRSS()
		b.StartTimer()
		stop := peakHeap(&peak)
		sum, err := Backup(b.Context(), c, r, BackupOptions{TenantID: tenantID, Workloads: workloads})
		stop()
		if err != nil {
			b.Fatalf("backup: %v\n%s", err, dump(sum))
		}
		last = sum
	}
	b.ReportMetric(float64(last.Total.New), "items")
	b.ReportMetric(float64(last.Total.BytesRead)/(1<<20), "read-MiB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-live-heap-MiB")
	if rss, ok := procStatus("VmHWM:"); ok {
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
	}
}
