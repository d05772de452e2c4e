package m365sim

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"

	"github.com/safeguard365/safeguard365/internal/m365sim/identity"
	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
)

var errTooLarge = errors.New("request body too large")

// initApp registers the tenant with the identity platform and creates the
// app registration whose credentials Start and `sg365 sim serve` print.
// saved holds the credentials of a previous run (see Options.StateDir); nil
// creates new ones. With a state dir, the token signing key is created here
// rather than by the identity platform, so that it can be saved.
func (s *Server) initApp(saved *savedApp) error {
	t := s.cur.Load()
	app := savedApp{}
	if saved != nil {
		app = *saved
	} else {
		t.Write(func() error { app.ClientID = t.NewGUID(); return nil })
		secretBytes := make([]byte, 30)
		if _, err := rand.Read(secretBytes); err != nil {
			return fmt.Errorf("generate client secret: %w", err)
		}
		app.ClientSecret = fmt.Sprintf("sim~%x", secretBytes)
		if s.opts.StateDir != "" {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				return fmt.Errorf("generate token signing key: %w", err)
			}
			app.SigningKey = k
		}
	}
	s.state.app = app
	s.app = App{ClientID: app.ClientID, ClientSecret: app.ClientSecret, Roles: s.opts.Roles}
	s.dlKey = make([]byte, 32)
	rand.Read(s.dlKey)
	idp, err := identity.New(identity.Config{
		Tenants: []identity.Tenant{{ID: t.ID, Domains: []string{t.DefaultDomain}}},
		Apps: []identity.App{{ClientID: app.ClientID, DisplayName: "SafeGuard365 (emulated)",
			Secrets:      []identity.ClientSecret{{Value: identity.NewSecret(s.app.ClientSecret)}},
			Certificates: s.opts.AppCertificates, Roles: s.opts.Roles}},
		TokenLifetime: s.opts.TokenLifetime,
		Now:           s.opts.Now,
		Seed:          s.opts.Seed,
		SigningKey:    app.SigningKey,
	})
	if err != nil {
		return fmt.Errorf("start identity platform: %w", err)
	}
	s.idp = idp
	return nil
}

func (s *Server) initLimits() error {
	cfg := limits.DefaultConfig()
	if s.opts.Limits != nil {
		cfg = *s.opts.Limits
	}
	eng, err := limits.New(cfg, s.opts.Now)
	if err != nil {
		return fmt.Errorf("throttling configuration: %w", err)
	}
	s.limits = eng
	fc := limits.FaultConfig{}
	if s.opts.Faults != nil {
		fc = *s.opts.Faults
	}
	s.faults, err = limits.NewFaults(fc)
	if err != nil {
		return fmt.Errorf("fault configuration: %w", err)
	}
	s.counters = limits.NewCounters(s.opts.Now)
	return nil
}

// tempFiles tracks spooled uploads so Close can remove them.
type tempFiles struct {
	mu    sync.Mutex
	files []*os.File
}

func (s *Server) tempFile() (*os.File, error) {
	f, err := os.CreateTemp("", "sg365-sim-upload-*")
	if err != nil {
		return nil, err
	}
	// Unlink at once: the open handle keeps the data, and nothing is left
	// behind if the emulator is killed.
	os.Remove(f.Name())
	s.temps.mu.Lock()
	s.temps.files = append(s.temps.files, f)
	s.temps.mu.Unlock()
	return f, nil
}

// Close releases the server's temporary storage. The server must not be
// serving any more.
func (s *Server) Close() error {
	s.temps.mu.Lock()
	defer s.temps.mu.Unlock()
	for _, f := range s.temps.files {
		f.Close()
	}
	s.temps.files = nil
	return nil
}

// statusRecorder captures the status a handler wrote, for the counters.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (Hijack, Flush).
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) countAndServe(w http.ResponseWriter, r *http.Request, label string, h http.HandlerFunc) {
	rec := &statusRecorder{ResponseWriter: w}
	defer func() {
		s.counters.Record(limits.Sample{Endpoint: label, Status: rec.status, BytesOut: rec.bytes, BytesIn: max(r.ContentLength, 0)})
	}()
	fw, answered := s.injectFault(rec, r)
	if answered {
		return
	}
	h(fw, r)
}
