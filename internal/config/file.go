package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Environment variables that locate the file and select a tenant in it.
const (
	EnvConfig = "SG365_CONFIG" // path of the configuration file
	EnvTenant = "SG365_TENANT" // name of the tenant to use
)

// MaxFileSize bounds the configuration file. A tenant entry is a few hundred
// bytes, so 1 MiB holds thousands of tenants and stops a wrong --config (a
// log file, a disk image) from being read whole.
const MaxFileSize = 1 << 20

// File is a parsed configuration file. Its zero value is an empty
// configuration, which is what Load returns when the default file does not
// exist.
type File struct {
	DefaultTenant string   `yaml:"default_tenant,omitempty"`
	Tenants       []Tenant `yaml:"tenants,omitempty"`

	// Path is where the file was read from; "" for an empty configuration.
	Path string `yaml:"-"`
	// Dir anchors the relative paths inside the file; "" means the
	// working directory.
	Dir string `yaml:"-"`
}

// Tenant is one tenant entry as written in the file. Paths may be relative
// to the file's directory or start with "~/". At most one credential is set:
// a client secret (client_secret_file or client_secret_env), a certificate,
// or managed_identity.
type Tenant struct {
	Name     string `yaml:"name"`
	TenantID string `yaml:"tenant_id,omitempty"`
	ClientID string `yaml:"client_id,omitempty"`

	ClientSecretFile        string `yaml:"client_secret_file,omitempty"`
	ClientSecretEnv         string `yaml:"client_secret_env,omitempty"` // name of a variable holding the secret
	CertificatePath         string `yaml:"certificate_path,omitempty"`  // PEM or PFX with the private key
	CertificatePasswordFile string `yaml:"certificate_password_file,omitempty"`
	ManagedIdentity         bool   `yaml:"managed_identity,omitempty"`

	Cloud         string `yaml:"cloud,omitempty"`          // global (default), usgov, usgovdod, china
	AuthorityHost string `yaml:"authority_host,omitempty"` // overrides the cloud's sign-in host
	GraphURL      string `yaml:"graph_url,omitempty"`      // overrides the cloud's Graph root
	// CAFile names PEM certificates to trust besides the system's: a
	// TLS-inspecting proxy's CA, or the emulator's (sg365 sim serve --tls).
	CAFile string `yaml:"ca_file,omitempty"`

	line int // line of the entry in the file, for messages
}

// Tenant returns the entry called name and whether it exists.
func (f *File) Tenant(name string) (Tenant, bool) {
	for _, t := range f.Tenants {
		if t.Name == name {
			return t, true
		}
	}
	return Tenant{}, false
}

// Names returns the tenant names in file order.
func (f *File) Names() []string {
	names := make([]string, len(f.Tenants))
	for i, t := range f.Tenants {
		names[i] = t.Name
	}
	return names
}

// Locate returns the configuration file path: flagPath if non-empty, else
// $SG365_CONFIG, else DefaultPath. explicit reports that the user named the
// file, so that a missing file is an error rather than an empty
// configuration. lookup is os.LookupEnv outside tests.
func Locate(flagPath string, lookup func(string) (string, bool)) (path string, explicit bool, err error) {
	if flagPath != "" {
		return flagPath, true, nil
	}
	if v, ok := lookup(EnvConfig); ok && v != "" {
		return v, true, nil
	}
	p, err := DefaultPath(lookup)
	return p, false, err
}

// DefaultPath returns $XDG_CONFIG_HOME/sg365/config.yaml, or
// $HOME/.config/sg365/config.yaml when XDG_CONFIG_HOME is unset or relative
// (the XDG Base Directory specification says to ignore relative values).
func DefaultPath(lookup func(string) (string, bool)) (string, error) {
	if v, ok := lookup("XDG_CONFIG_HOME"); ok && filepath.IsAbs(v) {
		return filepath.Join(v, "sg365", "config.yaml"), nil
	}
	home, err := homeDir(lookup)
	if err != nil {
		return "", fmt.Errorf("locate config file: %w; set --config or %s", err, EnvConfig)
	}
	return filepath.Join(home, ".config", "sg365", "config.yaml"), nil
}

func homeDir(lookup func(string) (string, bool)) (string, error) {
	if v, ok := lookup("HOME"); ok && v != "" {
		return v, nil
	}
	return os.UserHomeDir()
}

// Open locates and loads the configuration file (see Locate and Load).
func Open(flagPath string, lookup func(string) (string, bool)) (*File, error) {
	path, explicit, err := Locate(flagPath, lookup)
	if err != nil {
		return nil, err
	}
	return Load(path, explicit)
}

// Load reads and parses the file at path. A missing file yields an empty
// configuration unless required is true.
func Load(path string, required bool) (*File, error) {
	fh, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) && !required {
		return &File{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open config file: %w", err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read config file %s: %w", path, err)
	}
	f, err := Parse(data, path)
	if err != nil {
		return nil, err
	}
	f.Path = path
	if abs, err := filepath.Abs(path); err == nil {
		f.Dir = filepath.Dir(abs)
	} else {
		f.Dir = filepath.Dir(path)
	}
	return f, nil
}

// Error is a problem at a place in the configuration file. Parse and Load
// return one or more of them, joined.
type Error struct {
	Path string // file name as given
	Line int    // 1-based; 0 when the problem has no single line
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return e.Path + ": " + e.Msg
}

// expandPath makes a path from the file absolute: "~/x" is under the home
// directory and a relative path is under the file's directory.
func (f *File) expandPath(p string, lookup func(string) (string, bool)) (string, error) {
	switch {
	case p == "":
		return "", nil
	case p == "~" || strings.HasPrefix(p, "~/"):
		home, err := homeDir(lookup)
		if err != nil {
			return "", fmt.Errorf("expand %q: %w", p, err)
		}
		return filepath.Join(home, strings.TrimPrefix(p, "~")), nil
	case filepath.IsAbs(p) || f.Dir == "":
		return p, nil
	default:
		return filepath.Join(f.Dir, p), nil
	}
}
