package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Cloud names, as in tenant entries and the --cloud flag. See
// https://learn.microsoft.com/en-us/graph/deployments for the endpoints.
const (
	CloudGlobal   = "global"
	CloudUSGov    = "usgov"    // US Government L4 (GCC High)
	CloudUSGovDoD = "usgovdod" // US Government L5 (DoD)
	CloudChina    = "china"    // operated by 21Vianet
)

var clouds = []string{CloudGlobal, CloudUSGov, CloudUSGovDoD, CloudChina}

var (
	// nameRE keeps tenant names usable as file names and in shell scripts.
	nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	// tenantIDRE is what the identity platform accepts in a token URL: a
	// GUID or a verified domain name.
	tenantIDRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z.-]*$`)
	// envNameRE is a portable environment variable name.
	envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// validate checks values that need no environment: names, clouds, URLs and
// that each entry names at most one credential.
func (f *File) validate(path string) error {
	var errs []error
	add := func(line int, format string, args ...any) {
		errs = append(errs, &Error{Path: path, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	seen := map[string]int{}
	for i, t := range f.Tenants {
		where := fmt.Sprintf("tenant %q", t.Name)
		switch {
		case t.Name == "":
			where = fmt.Sprintf("tenant entry %d", i+1)
			add(t.line, "%s has no name; add \"name: <short name>\"", where)
		case !nameRE.MatchString(t.Name):
			add(t.line, "tenant name %q must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit", t.Name)
		case seen[t.Name] > 0:
			add(t.line, "tenant name %q is used twice (also on line %d)", t.Name, seen[t.Name])
		}
		if t.Name != "" && seen[t.Name] == 0 {
			seen[t.Name] = max(t.line, 1)
		}
		for _, err := range t.check() {
			add(t.line, "%s: %v", where, err)
		}
	}
	if f.DefaultTenant != "" && seen[f.DefaultTenant] == 0 {
		add(0, "default_tenant %q is not the name of a tenant in the file (names: %s)",
			f.DefaultTenant, strings.Join(f.Names(), ", "))
	}
	return errors.Join(errs...)
}

// check returns the problems in one entry's values.
func (t Tenant) check() []error {
	var errs []error
	if t.TenantID != "" && !tenantIDRE.MatchString(t.TenantID) {
		errs = append(errs, fmt.Errorf("tenant_id %q is not a GUID or domain name", t.TenantID))
	}
	if t.Cloud != "" && !slices.Contains(clouds, t.Cloud) {
		errs = append(errs, fmt.Errorf("cloud %q is not one of %s", t.Cloud, strings.Join(clouds, ", ")))
	}
	if err := checkURL("authority_host", t.AuthorityHost); err != nil {
		errs = append(errs, err)
	}
	if err := checkURL("graph_url", t.GraphURL); err != nil {
		errs = append(errs, err)
	}
	if t.ClientSecretEnv != "" && !envNameRE.MatchString(t.ClientSecretEnv) {
		errs = append(errs, fmt.Errorf("client_secret_env %q is not an environment variable name", t.ClientSecretEnv))
	}
	if t.ClientSecretFile != "" && t.ClientSecretEnv != "" {
		errs = append(errs, errors.New("client_secret_file and client_secret_env are both set; keep one"))
	}
	if t.CertificatePasswordFile != "" && t.CertificatePath == "" {
		errs = append(errs, errors.New("certificate_password_file is set without certificate_path"))
	}
	if n := t.credentialKinds(); n > 1 {
		errs = append(errs, errors.New("names more than one credential; keep one of a client secret "+
			"(client_secret_file or client_secret_env), certificate_path, or managed_identity"))
	}
	return errs
}

func (t Tenant) credentialKinds() int {
	n := 0
	if t.ClientSecretFile != "" || t.ClientSecretEnv != "" {
		n++
	}
	if t.CertificatePath != "" {
		n++
	}
	if t.ManagedIdentity {
		n++
	}
	return n
}

// checkURL accepts an absolute http or https URL; whether plain http is
// acceptable for a given endpoint is the Graph client's decision.
func checkURL(key, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%s %q is not an absolute URL such as https://host/", key, v)
	}
	return nil
}
