package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mapEnv is a lookup function over fixed variables.
func mapEnv(kv map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := kv[k]; return v, ok }
}

func writeFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
}

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	writeFile(t, filepath.Join(dir, "lab.secret"), "file-secret\n")
	writeFile(t, filepath.Join(home, "lab.secret"), "home-secret\n")
	writeFile(t, filepath.Join(dir, "flag.secret"), "flag-secret")
	writeFile(t, filepath.Join(dir, "env.secret"), "env-secret")
	writeFile(t, filepath.Join(dir, "certs", "contoso.pass"), "file-pass")
	writeFile(t, filepath.Join(dir, "flag.pass"), "flag-pass")
	writeFile(t, filepath.Join(dir, "empty.secret"), "")

	file := func(yaml string) *File {
		f, err := Parse([]byte(yaml), "config.yaml")
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		f.Path, f.Dir = filepath.Join(dir, "config.yaml"), dir
		return f
	}
	full := file(validYAML)
	labHome := file(strings.Replace(validYAML, "~/lab.secret", "lab.secret", 1))
	noDefault := file(strings.Replace(validYAML, "default_tenant: contoso\n", "", 1))
	single := file("tenants:\n  - name: only\n    tenant_id: t\n    client_id: c\n    client_secret_file: lab.secret\n")

	// want lists fields as "Field=value"; secrets are compared revealed.
	for _, tc := range []struct {
		name    string
		file    *File
		flags   Flags
		env     map[string]string
		want    []string
		wantErr []string
	}{
		{name: "default-tenant-cert", file: full,
			want: []string{"Name=contoso", "TenantID=11111111-1111-1111-1111-111111111111", "Cloud=global",
				"CertificatePath=" + filepath.Join(dir, "certs/contoso.pem"), "CertificatePassword=file-pass", "ClientSecret="}},
		{name: "select-by-flag", file: full, flags: Flags{Tenant: "vm"},
			want: []string{"Name=vm", "ManagedIdentity=true", "TenantID="}},
		{name: "select-by-env", file: full, env: map[string]string{"SG365_TENANT": "vm"}, want: []string{"Name=vm"}},
		{name: "flag-beats-env-selection", file: full, flags: Flags{Tenant: "contoso"},
			env: map[string]string{"SG365_TENANT": "vm"}, want: []string{"Name=contoso"}},
		{name: "home-expansion", file: full, flags: Flags{Tenant: "lab"}, env: map[string]string{"HOME": home},
			want: []string{"ClientSecret=home-secret", "AuthorityHost=https://127.0.0.1:8443/"}},
		{name: "relative-to-file", file: labHome, flags: Flags{Tenant: "lab"}, want: []string{"ClientSecret=file-secret"}},
		{name: "secret-env-from-file", file: full, flags: Flags{Tenant: "fabrikam-gov"},
			env: map[string]string{"FABRIKAM_SECRET": " fab \n"}, want: []string{"ClientSecret=fab", "Cloud=usgov"}},
		{name: "secret-env-unset", file: full, flags: Flags{Tenant: "fabrikam-gov"},
			wantErr: []string{`tenant "fabrikam-gov"`, "client_secret_env names FABRIKAM_SECRET, which is not set"}},
		{name: "env-beats-file", file: full,
			env: map[string]string{"SG365_TENANT_ID": "env.example", "SG365_CLIENT_ID": "env-client",
				"SG365_GRAPH_URL": "https://env/v1.0", "AZURE_AUTHORITY_HOST": "https://env-login/"},
			want: []string{"TenantID=env.example", "ClientID=env-client", "GraphURL=https://env/v1.0", "AuthorityHost=https://env-login/"}},
		{name: "flag-beats-env", file: full,
			flags: Flags{TenantID: "flag.example", ClientID: "flag-client", GraphURL: "https://flag/v1.0", AuthorityHost: "https://flag-login/", Cloud: "china"},
			env: map[string]string{"SG365_TENANT_ID": "env.example", "SG365_CLIENT_ID": "env-client",
				"SG365_GRAPH_URL": "https://env/v1.0", "AZURE_AUTHORITY_HOST": "https://env-login/"},
			want: []string{"TenantID=flag.example", "ClientID=flag-client", "GraphURL=https://flag/v1.0", "AuthorityHost=https://flag-login/", "Cloud=china"}},
		{name: "env-secret-replaces-file-cert", file: full, env: map[string]string{"SG365_CLIENT_SECRET": "env-value"},
			want: []string{"ClientSecret=env-value", "CertificatePath=", "CertificatePassword=", "CredentialFrom=environment variable SG365_CLIENT_SECRET"}},
		{name: "env-secret-file", file: full, env: map[string]string{"SG365_CLIENT_SECRET_FILE": filepath.Join(dir, "env.secret")},
			want: []string{"ClientSecret=env-secret"}},
		{name: "flag-secret-file-beats-env", file: full, flags: Flags{ClientSecretFile: filepath.Join(dir, "flag.secret")},
			env:  map[string]string{"SG365_CLIENT_SECRET": "env-value"},
			want: []string{"ClientSecret=flag-secret"}},
		{name: "env-cert-with-env-password", file: full, flags: Flags{Tenant: "lab"},
			env:  map[string]string{"SG365_CERT_PATH": "/c.pfx", "SG365_CERT_PASSWORD": "env-pass"},
			want: []string{"CertificatePath=/c.pfx", "CertificatePassword=env-pass", "ClientSecret="}},
		{name: "flag-cert-password-beats-env", file: full, flags: Flags{CertificatePasswordFile: filepath.Join(dir, "flag.pass")},
			env:  map[string]string{"SG365_CERT_PASSWORD": "env-pass"},
			want: []string{"CertificatePassword=flag-pass"}},
		{name: "file-password-not-used-for-other-cert", file: full, flags: Flags{CertificatePath: "/other.pem"},
			want: []string{"CertificatePath=/other.pem", "CertificatePassword="}},
		{name: "cert-password-without-cert", file: full, flags: Flags{Tenant: "vm", CertificatePasswordFile: filepath.Join(dir, "flag.pass")},
			wantErr: []string{"--cert-password-file is set but the credential is not a certificate"}},
		{name: "two-env-secrets", file: full,
			env:     map[string]string{"SG365_CLIENT_SECRET": "a", "SG365_CLIENT_SECRET_FILE": "/b"},
			wantErr: []string{"both SG365_CLIENT_SECRET and SG365_CLIENT_SECRET_FILE are set"}},
		{name: "two-flag-credentials", file: full, flags: Flags{ClientSecretFile: "/a", CertificatePath: "/b"},
			wantErr: []string{"more than one credential is set in the flags (client secret and certificate)"}},
		{name: "empty-secret-file", file: full, flags: Flags{ClientSecretFile: filepath.Join(dir, "empty.secret")},
			wantErr: []string{"client secret:", "secret is empty"}},
		{name: "missing-secret-file", file: full, flags: Flags{ClientSecretFile: filepath.Join(dir, "nope")},
			wantErr: []string{"client secret: read secret file", "nope"}},
		{name: "env-only-no-file", file: &File{},
			env:  map[string]string{"SG365_TENANT_ID": "t.example", "SG365_CLIENT_ID": "c", "SG365_CLIENT_SECRET": "s"},
			want: []string{"Name=", "TenantID=t.example", "ClientSecret=s"}},
		{name: "nothing-at-all", file: &File{},
			wantErr: []string{"tenant settings", "no credential", "no tenant id", "SG365_TENANT_ID", "no client id"}},
		{name: "single-tenant-implicit", file: single, want: []string{"Name=only", "ClientSecret=file-secret"}},
		{name: "many-tenants-no-default", file: noDefault,
			wantErr: []string{"lists 4 tenants and no default_tenant", "--tenant or SG365_TENANT", "contoso, fabrikam-gov, lab, vm"}},
		{name: "unknown-tenant", file: full, flags: Flags{Tenant: "nope"},
			wantErr: []string{`tenant "nope" (from --tenant) is not in`, "names: contoso"}},
		{name: "unknown-tenant-no-file", file: &File{}, env: map[string]string{"SG365_TENANT": "x"},
			wantErr: []string{`tenant "x" (from SG365_TENANT): there is no config file`}},
		{name: "bad-env-values", file: full,
			env:     map[string]string{"SG365_TENANT_ID": "a b", "SG365_GRAPH_URL": "nope"},
			wantErr: []string{`tenant id "a b" is not a GUID`, `graph url "nope" is not an absolute URL`}},
		{name: "bad-flag-cloud", file: full, flags: Flags{Cloud: "mars"}, wantErr: []string{`cloud "mars" is not one of`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"HOME": filepath.Join(dir, "nohome")}
			for k, v := range tc.env {
				env[k] = v
			}
			s, err := Resolve(tc.file, tc.flags, mapEnv(env))
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("Resolve = %+v, want an error", s)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q\ndoes not contain %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			got := map[string]string{
				"Name": s.Name, "TenantID": s.TenantID, "ClientID": s.ClientID, "Cloud": s.Cloud,
				"ClientSecret": s.ClientSecret.Reveal(), "CertificatePath": s.CertificatePath,
				"CertificatePassword": s.CertificatePassword.Reveal(), "ManagedIdentity": fmt.Sprint(s.ManagedIdentity),
				"AuthorityHost": s.AuthorityHost, "GraphURL": s.GraphURL, "CredentialFrom": s.CredentialFrom,
			}
			for _, w := range tc.want {
				k, v, _ := strings.Cut(w, "=")
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestSettingsNeverPrintSecrets(t *testing.T) {
	s, err := Resolve(&File{}, Flags{}, mapEnv(map[string]string{
		"SG365_TENANT_ID": "t.example", "SG365_CLIENT_ID": "c", "SG365_CLIENT_SECRET": "hunter2"}))
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s)} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("settings print the secret: %s", out)
		}
	}
}

func TestResolveCAFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("s"), 0o600)
	os.WriteFile(path, []byte("tenants:\n  - name: sim\n    tenant_id: t\n    client_id: c\n    client_secret_file: secret.txt\n    ca_file: ca.pem\n"), 0o600)
	f, err := Open(path, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	s, err := Resolve(f, Flags{}, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	if s.CAFile != filepath.Join(dir, "ca.pem") {
		t.Errorf("ca_file from the file: %q, want it relative to the file's directory", s.CAFile)
	}
	caEnv := mapEnv(map[string]string{EnvCAFile: "/env/ca.pem"})
	s, err = Resolve(f, Flags{}, caEnv)
	if err != nil || s.CAFile != "/env/ca.pem" {
		t.Errorf("SG365_CA_FILE: %q, %v", s.CAFile, err)
	}
	s, err = Resolve(f, Flags{CAFile: "/flag.pem"}, caEnv)
	if err != nil || s.CAFile != "/flag.pem" {
		t.Errorf("--ca-file: %q, %v", s.CAFile, err)
	}
}
