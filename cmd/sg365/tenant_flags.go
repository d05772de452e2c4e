package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/config"
	"github.com/safeguard365/safeguard365/internal/graph"
)

// TenantFlags select a tenant and override its settings, for commands that
// reach one. Embed it in a command's options and call its AddFlags. There
// is no flag for a secret's value (STYLE.md §8): secrets come from a file or
// an environment variable.
type TenantFlags struct {
	config.Flags
}

// AddFlags registers the tenant flags.
func (f *TenantFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.Tenant, "tenant", "", "`name` of the tenant in the config file (default: $"+config.EnvTenant+", else default_tenant)")
	fs.StringVar(&f.TenantID, "tenant-id", "", "directory (tenant) `id` or domain (default: $"+config.EnvTenantID+", else the config file)")
	fs.StringVar(&f.ClientID, "client-id", "", "application (client) `id` (default: $"+config.EnvClientID+", else the config file)")
	fs.StringVar(&f.ClientSecretFile, "client-secret-file", "", "read the client secret from `file` (or set $"+config.EnvClientSecret+" or $"+config.EnvClientSecretFile+")")
	fs.StringVar(&f.CertificatePath, "cert-path", "", "certificate `file` (PEM or PFX with its private key) (default: $"+config.EnvCertPath+")")
	fs.StringVar(&f.CertificatePasswordFile, "cert-password-file", "", "read the certificate's password from `file` (or set $"+config.EnvCertPassword+")")
	fs.StringVar(&f.Cloud, "cloud", "", "national cloud: global, usgov, usgovdod or china (default: the config file, else global)")
	fs.StringVar(&f.AuthorityHost, "authority-host", "", "sign-in `url` (default: $"+config.EnvAuthorityHost+", else the cloud's)")
	fs.StringVar(&f.GraphURL, "graph-url", "", "Microsoft Graph base `url` (default: $"+config.EnvGraphURL+", else the cloud's)")
	fs.StringVar(&f.CAFile, "ca-file", "", "also trust the CA certificates in PEM `file`, e.g. a TLS proxy's or the emulator's (default: $"+config.EnvCAFile+")")
}

// resolveTenant loads the config file and returns the selected tenant's
// effective settings: flag, then environment, then file.
func resolveTenant(g GlobalOptions, f TenantFlags) (config.Settings, error) {
	file, err := config.Open(g.ConfigPath, os.LookupEnv)
	if err != nil {
		return config.Settings{}, err
	}
	s, err := config.Resolve(file, f.Flags, os.LookupEnv)
	if err != nil {
		return config.Settings{}, err
	}
	if g.Logger != nil {
		g.Logger.Debug("tenant settings", "tenant", s.Name, "tenant_id", s.TenantID,
			"client_id", s.ClientID, "credential", s.CredentialFrom, "config", file.Path)
	}
	return s, nil
}

// tenantConn is a connection to the tenant the flags select.
type tenantConn struct {
	Settings config.Settings
	Graph    *graph.Client
	// TenantID is the directory id as the sign-in states it, which is the
	// GUID also when the settings name a domain; the configured value when
	// sign-in has not said.
	TenantID string
}

// connectTenant resolves the tenant the flags select and builds its Graph
// client. It signs in to learn the tenant's GUID; a failed sign-in is not
// an error here, it surfaces with the command's first call.
func connectTenant(ctx context.Context, g GlobalOptions, f TenantFlags) (tenantConn, error) {
	s, err := resolveTenant(g, f)
	if err != nil {
		return tenantConn{}, err
	}
	cfg, err := graphConfig(s)
	if err != nil {
		return tenantConn{}, err
	}
	c, err := graph.New(cfg, graph.Options{Logger: g.Logger})
	if err != nil {
		return tenantConn{}, fmt.Errorf("tenant %s: %w", s.TenantID, err)
	}
	tc := tenantConn{Settings: s, Graph: c, TenantID: s.TenantID}
	if info, err := c.TokenInfo(ctx); err == nil && info.TenantID != "" {
		tc.TenantID = info.TenantID
	}
	return tc, nil
}
