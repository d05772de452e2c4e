package m365sim

import (
	"crypto/x509"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
)

// Options configure a Server. The zero value serves a small generated tenant
// with Microsoft's real limits.
type Options struct {
	Seed  uint64 // generator seed; same seed, same tenant
	Users int    // generated users; default 5

	// MessagesPerUser and FilesPerUser set the generated volume (means);
	// zero uses the generator's defaults.
	MessagesPerUser int
	FilesPerUser    int

	// TokenLifetime is the access-token lifetime; zero uses the identity
	// platform's documented default (60–90 minutes).
	TokenLifetime time.Duration

	// Limits are the throttling limits; nil uses limits.DefaultConfig().
	Limits *limits.Config

	// Faults configure injected failures; nil injects none.
	Faults *limits.FaultConfig

	// Roles are the application permissions granted to the generated app
	// registration; nil grants everything the emulator knows.
	Roles []string

	// AppCertificates are registered on the generated app registration, for
	// certificate (client_assertion) authentication.
	AppCertificates []*x509.Certificate

	// Now is the clock; nil uses time.Now.
	Now func() time.Time

	// StateDir keeps the tenant across runs. New loads the tenant saved in
	// StateDir/tenant.state, with the app registration's client id and
	// secret and the token signing key (so earlier tokens and delta links
	// stay valid); without one it generates a tenant and saves it there.
	// The generator options of a loaded tenant are those it was generated
	// with. Listener.Close and Server.SaveState save the tenant again. The
	// directory is created (mode 0700) if missing; its files are mode 0600
	// because they hold the client secret and the tenant's mail. Empty
	// keeps the state in memory only.
	StateDir string
}

func (o Options) withDefaults() Options {
	if o.Users == 0 {
		o.Users = 5
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Roles == nil {
		o.Roles = AllRoles()
	}
	return o
}
