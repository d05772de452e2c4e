package m365sim

import (
	"bufio"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// Files in Options.StateDir.
const (
	stateFile = "tenant.state" // tenant.Save's format
	appFile   = "app.json"     // appState: credentials and generator options
)

// appFormat is the version of app.json.
const appFormat = 1

// savedApp is the app registration's credentials: what a restarted
// emulator needs, besides the tenant, for clients to keep signing in and
// for tokens issued before the restart to stay valid.
type savedApp struct {
	ClientID     string
	ClientSecret string
	SigningKey   *rsa.PrivateKey // nil without a state dir: the identity platform makes one
}

// appState is the JSON of app.json. It holds the client secret and the
// signing key, so it is written with mode 0600 and never anywhere else.
type appState struct {
	Format       int
	ClientID     string
	ClientSecret string
	SigningKey   string // PKCS #8, PEM
	Generator    struct {
		Seed                                 uint64
		Users, MessagesPerUser, FilesPerUser int
	}
}

// newFromStateDir builds a server from the state in opts.StateDir, or
// generates a tenant and saves it there when the directory holds none.
func newFromStateDir(opts Options) (*Server, error) {
	dir := opts.StateDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state dir: %w", err)
	}
	s := newServer(opts)
	t, app, err := s.loadStateDir()
	if err != nil {
		s.Close()
		return nil, err
	}
	if t == nil {
		if t, err = tenant.Generate(genOptions(s.opts)); err != nil {
			return nil, fmt.Errorf("generate tenant: %w", err)
		}
		if err := s.init(t, nil); err != nil {
			return nil, err
		}
		if err := s.SaveState(); err != nil {
			return nil, err
		}
		return s, nil
	}
	s.state.loaded = true
	if err := s.init(t, app); err != nil {
		s.Close()
		return nil, err
	}
	if app == nil { // a tenant.state copied without its app.json
		s.state.mu.Lock()
		defer s.state.mu.Unlock()
		if err := s.saveApp(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// loadStateDir reads the saved tenant and credentials; a nil tenant means
// there is no saved state. It sets the generator options to those the
// saved tenant was generated with.
func (s *Server) loadStateDir() (*tenant.Tenant, *savedApp, error) {
	path := filepath.Join(s.opts.StateDir, stateFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("load state: %w", err)
	}
	defer f.Close()
	t, err := tenant.LoadSpooled(f, nil, s.spoolState)
	if err != nil {
		return nil, nil, fmt.Errorf("load state %s: %w", path, err)
	}
	s.opts.Seed = t.Seed
	st, err := readAppState(filepath.Join(s.opts.StateDir, appFile))
	if err != nil || st == nil {
		return t, nil, err
	}
	if g := st.Generator; g.Seed == t.Seed && g.Users > 0 {
		s.opts.Users, s.opts.MessagesPerUser, s.opts.FilesPerUser = g.Users, g.MessagesPerUser, g.FilesPerUser
	}
	app := &savedApp{ClientID: st.ClientID, ClientSecret: st.ClientSecret}
	block, _ := pem.Decode([]byte(st.SigningKey))
	if block == nil {
		return nil, nil, fmt.Errorf("load state: %s holds no signing key", appFile)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("load state: %s: signing key: %w", appFile, err)
	}
	var ok bool
	if app.SigningKey, ok = k.(*rsa.PrivateKey); !ok {
		return nil, nil, fmt.Errorf("load state: %s: signing key is %T, want RSA", appFile, k)
	}
	return t, app, nil
}

func readAppState(path string) (*appState, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load state: %w", err)
	}
	var st appState
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("load state: %s: %w", path, err)
	}
	if st.Format != appFormat || st.ClientID == "" || st.ClientSecret == "" {
		return nil, fmt.Errorf("load state: %s: format %d without credentials (this build reads format %d)", path, st.Format, appFormat)
	}
	return &st, nil
}

// SaveState writes the tenant and the app registration's credentials to
// Options.StateDir, each file atomically (written to a temporary file,
// synced, then renamed over the old one), so that a crash leaves the
// previous state intact. Without a StateDir it does nothing. The tenant
// is saved under its read lock (see tenant.Save): changes wait until the
// save ends. Listener.Close calls SaveState.
func (s *Server) SaveState() error {
	if s.opts.StateDir == "" {
		return nil
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if err := s.saveApp(); err != nil {
		return err
	}
	if err := writeAtomic(s.opts.StateDir, stateFile, s.cur.Load().Save); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}

// saveApp writes app.json. Hold s.state.mu.
func (s *Server) saveApp() error {
	app := s.state.app
	st := appState{Format: appFormat, ClientID: app.ClientID, ClientSecret: app.ClientSecret}
	if app.SigningKey != nil {
		der, err := x509.MarshalPKCS8PrivateKey(app.SigningKey)
		if err != nil {
			return fmt.Errorf("save state: signing key: %w", err)
		}
		st.SigningKey = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	}
	g := s.state.gen
	st.Generator.Seed, st.Generator.Users = g.Seed, g.Users
	st.Generator.MessagesPerUser, st.Generator.FilesPerUser = g.MessagesPerUser, g.FilesPerUser
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	err = writeAtomic(s.opts.StateDir, appFile, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}

// writeAtomic replaces dir/name with what write produces: it writes a
// temporary file (mode 0600) in dir, syncs it, renames it over name and
// syncs the directory, so that readers see the old file or the new one,
// never a part.
func writeAtomic(dir, name string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(dir, name+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", name, err)
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, name)); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable. It is best effort: some systems
// (Windows) cannot open a directory for syncing, and the rename is atomic
// without it.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}
