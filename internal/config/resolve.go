package config

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/safeguard365/safeguard365/internal/secret"
)

// Environment variables that override a tenant's settings. AZURE_AUTHORITY_HOST
// is the variable azidentity itself reads.
const (
	EnvTenantID         = "SG365_TENANT_ID"
	EnvClientID         = "SG365_CLIENT_ID"
	EnvClientSecret     = "SG365_CLIENT_SECRET"
	EnvClientSecretFile = "SG365_CLIENT_SECRET_FILE"
	EnvCertPath         = "SG365_CERT_PATH"
	EnvCertPassword     = "SG365_CERT_PASSWORD"
	EnvGraphURL         = "SG365_GRAPH_URL"
	EnvAuthorityHost    = "AZURE_AUTHORITY_HOST"
	EnvCAFile           = "SG365_CA_FILE"
)

// Flags are the tenant settings given on the command line; "" means not
// given. There is deliberately no field for a secret's value: flag values
// end up in shell history and process listings.
type Flags struct {
	Tenant                  string // --tenant: name of an entry in the file
	TenantID                string // --tenant-id
	ClientID                string // --client-id
	ClientSecretFile        string // --client-secret-file
	CertificatePath         string // --cert-path
	CertificatePasswordFile string // --cert-password-file
	Cloud                   string // --cloud
	AuthorityHost           string // --authority-host
	GraphURL                string // --graph-url
	CAFile                  string // --ca-file
}

// Settings are one tenant's effective settings. Exactly one of
// ClientSecret, CertificatePath and ManagedIdentity is set. Printing a
// Settings never shows a secret.
type Settings struct {
	Name                string // entry used from the file; "" when none
	TenantID            string
	ClientID            string
	ClientSecret        secret.Secret
	CertificatePath     string
	CertificatePassword secret.Secret
	ManagedIdentity     bool
	Cloud               string // "" means global
	AuthorityHost       string // "" means the cloud's
	GraphURL            string // "" means the cloud's
	CAFile              string // extra trusted CA certificates (PEM); "" means none

	// CredentialFrom says where the credential came from, e.g.
	// "environment variable SG365_CLIENT_SECRET", for messages and logs.
	CredentialFrom string
}

// Resolve returns the effective settings of one tenant: flag, then
// environment, then the file entry, field by field; the credential as a
// unit from the highest layer that names one (see the package
// documentation). The entry is fl.Tenant, else $SG365_TENANT, else
// default_tenant, else the only entry. Secret files are read here. lookup is
// os.LookupEnv outside tests; f may be an empty File.
func Resolve(f *File, fl Flags, lookup func(string) (string, bool)) (Settings, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	env := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	t, err := f.pick(fl.Tenant, env(EnvTenant))
	if err != nil {
		return Settings{}, err
	}
	s := Settings{
		Name:          t.Name,
		TenantID:      first(fl.TenantID, env(EnvTenantID), t.TenantID),
		ClientID:      first(fl.ClientID, env(EnvClientID), t.ClientID),
		Cloud:         first(fl.Cloud, t.Cloud),
		AuthorityHost: first(fl.AuthorityHost, env(EnvAuthorityHost), t.AuthorityHost),
		GraphURL:      first(fl.GraphURL, env(EnvGraphURL), t.GraphURL),
		CAFile:        first(fl.CAFile, env(EnvCAFile)),
	}
	var errs []error
	if s.CAFile == "" && t.CAFile != "" {
		if s.CAFile, err = f.expandPath(t.CAFile, lookup); err != nil {
			errs = append(errs, err)
		}
	}
	if err := resolveCredential(&s, f, t, fl, env, lookup); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, s.check()...)
	if len(errs) > 0 {
		what := "tenant settings"
		if s.Name != "" {
			what = fmt.Sprintf("tenant %q", s.Name)
		}
		return Settings{}, fmt.Errorf("%s: %w", what, errors.Join(errs...))
	}
	return s, nil
}

// pick selects the file entry to start from; a zero Tenant when the file
// has none and no name was asked for.
func (f *File) pick(flagName, envName string) (Tenant, error) {
	name, from := flagName, "--tenant"
	if name == "" {
		name, from = envName, EnvTenant
	}
	if name == "" {
		name, from = f.DefaultTenant, "default_tenant"
	}
	if name != "" {
		if t, ok := f.Tenant(name); ok {
			return t, nil
		}
		if len(f.Tenants) == 0 {
			return Tenant{}, fmt.Errorf("tenant %q (from %s): %s", name, from, f.noTenantsHint())
		}
		return Tenant{}, fmt.Errorf("tenant %q (from %s) is not in %s (names: %s)",
			name, from, f.where(), strings.Join(f.Names(), ", "))
	}
	switch len(f.Tenants) {
	case 0:
		return Tenant{}, nil
	case 1:
		return f.Tenants[0], nil
	default:
		return Tenant{}, fmt.Errorf("%s lists %d tenants and no default_tenant: choose one with --tenant or %s (names: %s)",
			f.where(), len(f.Tenants), EnvTenant, strings.Join(f.Names(), ", "))
	}
}

func (f *File) where() string {
	if f.Path == "" {
		return "the config file"
	}
	return f.Path
}

func (f *File) noTenantsHint() string {
	if f.Path == "" {
		return "there is no config file; create one (see README) or set --config or " + EnvConfig
	}
	return f.Path + " lists no tenants"
}

// credential is the credential one layer names.
type credential struct {
	from         string // layer, for messages
	secretFile   string
	secretEnv    string // variable holding the secret
	certPath     string
	certPassFile string
	managedID    bool
}

func (c credential) kinds() []string {
	var k []string
	if c.secretFile != "" || c.secretEnv != "" {
		k = append(k, "client secret")
	}
	if c.certPath != "" {
		k = append(k, "certificate")
	}
	if c.managedID {
		k = append(k, "managed identity")
	}
	return k
}

func resolveCredential(s *Settings, f *File, t Tenant, fl Flags, env func(string) string, lookup func(string) (string, bool)) error {
	flagCred := credential{from: "flags", secretFile: fl.ClientSecretFile, certPath: fl.CertificatePath}
	envCred := credential{from: "environment", secretFile: env(EnvClientSecretFile), certPath: env(EnvCertPath)}
	if env(EnvClientSecret) != "" {
		envCred.secretEnv = EnvClientSecret
	}
	if envCred.secretEnv != "" && envCred.secretFile != "" {
		return fmt.Errorf("both %s and %s are set; unset one", EnvClientSecret, EnvClientSecretFile)
	}
	fileCred := credential{from: "config file", certPassFile: t.CertificatePasswordFile, managedID: t.ManagedIdentity,
		secretEnv: t.ClientSecretEnv}
	var err error
	if fileCred.secretFile, err = f.expandPath(t.ClientSecretFile, lookup); err != nil {
		return err
	}
	if fileCred.certPath, err = f.expandPath(t.CertificatePath, lookup); err != nil {
		return err
	}
	if fileCred.certPassFile, err = f.expandPath(t.CertificatePasswordFile, lookup); err != nil {
		return err
	}

	var c credential
	for _, layer := range []credential{flagCred, envCred, fileCred} {
		if k := layer.kinds(); len(k) > 0 {
			if len(k) > 1 {
				return fmt.Errorf("more than one credential is set in the %s (%s); keep one", layer.from, strings.Join(k, " and "))
			}
			c = layer
			break
		}
	}
	switch {
	case c.secretFile != "":
		s.CredentialFrom = fmt.Sprintf("client secret file %s (%s)", c.secretFile, c.from)
		s.ClientSecret, err = secret.FromFile(c.secretFile)
		if err != nil {
			return fmt.Errorf("client secret: %w", err)
		}
	case c.secretEnv != "":
		s.CredentialFrom = "environment variable " + c.secretEnv
		if s.ClientSecret = secret.New(env(c.secretEnv)); s.ClientSecret.IsZero() {
			return fmt.Errorf("client secret: client_secret_env names %s, which is not set", c.secretEnv)
		}
	case c.certPath != "":
		s.CertificatePath = c.certPath
		s.CredentialFrom = fmt.Sprintf("certificate %s (%s)", c.certPath, c.from)
		return resolveCertPassword(s, c, fl, env)
	case c.managedID:
		s.ManagedIdentity = true
		s.CredentialFrom = "managed identity (config file)"
	default:
		return fmt.Errorf("no credential: set certificate_path, client_secret_file or client_secret_env in the config file, "+
			"or %s, %s or %s, or --cert-path or --client-secret-file", EnvCertPath, EnvClientSecretFile, EnvClientSecret)
	}
	if fl.CertificatePasswordFile != "" {
		return errors.New("--cert-password-file is set but the credential is not a certificate")
	}
	return nil
}

// resolveCertPassword takes the certificate password from
// --cert-password-file, then SG365_CERT_PASSWORD, then the file entry's
// certificate_password_file when the certificate also comes from the file.
// A certificate without a password is normal (an unencrypted PEM).
func resolveCertPassword(s *Settings, c credential, fl Flags, env func(string) string) error {
	var err error
	switch {
	case fl.CertificatePasswordFile != "":
		s.CertificatePassword, err = secret.FromFile(fl.CertificatePasswordFile)
	case env(EnvCertPassword) != "":
		s.CertificatePassword = secret.New(env(EnvCertPassword))
	case c.certPassFile != "":
		s.CertificatePassword, err = secret.FromFile(c.certPassFile)
	}
	if err != nil {
		return fmt.Errorf("certificate password: %w", err)
	}
	return nil
}

// check reports missing or malformed non-secret settings.
func (s Settings) check() []error {
	var errs []error
	if !s.ManagedIdentity && s.TenantID == "" {
		errs = append(errs, fmt.Errorf("no tenant id: set tenant_id in the config file, %s, or --tenant-id", EnvTenantID))
	}
	if !s.ManagedIdentity && s.ClientID == "" {
		errs = append(errs, fmt.Errorf("no client id: set client_id in the config file, %s, or --client-id", EnvClientID))
	}
	if s.TenantID != "" && !tenantIDRE.MatchString(s.TenantID) {
		errs = append(errs, fmt.Errorf("tenant id %q is not a GUID or domain name", s.TenantID))
	}
	if s.Cloud != "" && !slices.Contains(clouds, s.Cloud) {
		errs = append(errs, fmt.Errorf("cloud %q is not one of %s", s.Cloud, strings.Join(clouds, ", ")))
	}
	for _, err := range []error{checkURL("authority host", s.AuthorityHost), checkURL("graph url", s.GraphURL)} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// first returns the first non-empty value.
func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
