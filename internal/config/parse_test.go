package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const validYAML = `# two tenants
default_tenant: contoso
tenants:
  - name: contoso
    tenant_id: 11111111-1111-1111-1111-111111111111
    client_id: 22222222-2222-2222-2222-222222222222
    certificate_path: certs/contoso.pem
    certificate_password_file: certs/contoso.pass
    cloud: global
  - name: fabrikam-gov
    tenant_id: fabrikam.onmicrosoft.us
    client_id: 33333333-3333-3333-3333-333333333333
    client_secret_env: FABRIKAM_SECRET
    cloud: usgov
  - name: lab
    tenant_id: 44444444-4444-4444-4444-444444444444
    client_id: 55555555-5555-5555-5555-555555555555
    client_secret_file: ~/lab.secret
    authority_host: https://127.0.0.1:8443/
    graph_url: https://127.0.0.1:8443/v1.0
  - name: vm
    managed_identity: true
`

func TestParseValid(t *testing.T) {
	f, err := Parse([]byte(validYAML), "config.yaml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if f.DefaultTenant != "contoso" || len(f.Tenants) != 4 {
		t.Fatalf("got default %q and %d tenants", f.DefaultTenant, len(f.Tenants))
	}
	want := Tenant{Name: "fabrikam-gov", TenantID: "fabrikam.onmicrosoft.us",
		ClientID: "33333333-3333-3333-3333-333333333333", ClientSecretEnv: "FABRIKAM_SECRET", Cloud: "usgov", line: 10}
	if got, _ := f.Tenant("fabrikam-gov"); !reflect.DeepEqual(got, want) {
		t.Errorf("fabrikam-gov:\n got %+v\nwant %+v", got, want)
	}
	if got := strings.Join(f.Names(), ","); got != "contoso,fabrikam-gov,lab,vm" {
		t.Errorf("Names = %s", got)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, in := range []string{"", "\n", "# only a comment\n", "---\n", "~\n", "tenants:\n"} {
		f, err := Parse([]byte(in), "c.yaml")
		if err != nil || len(f.Tenants) != 0 || f.DefaultTenant != "" {
			t.Errorf("Parse(%q) = %+v, %v; want empty, nil", in, f, err)
		}
	}
}

func TestParseMergeKeys(t *testing.T) {
	in := `tenants:
  - &base
    name: a
    tenant_id: contoso.onmicrosoft.com
    client_id: app
    client_secret_env: A_SECRET
  - <<: *base
    name: b
`
	f, err := Parse([]byte(in), "c.yaml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if b, _ := f.Tenant("b"); b.ClientSecretEnv != "A_SECRET" || b.TenantID != "contoso.onmicrosoft.com" {
		t.Errorf("merged tenant b = %+v", b)
	}
	bad := in + "    bogus: 1\n"
	if _, err := Parse([]byte(bad), "c.yaml"); err == nil || !strings.Contains(err.Error(), `c.yaml:9: unknown key "bogus" in tenant entry 2`) {
		t.Errorf("unknown key after merge: %v", err)
	}
	badMerge := "base: &b {nope: 1}\n"
	if _, err := Parse([]byte(badMerge), "c.yaml"); err == nil || !strings.Contains(err.Error(), `unknown key "base"`) {
		t.Errorf("unknown top-level key: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []string // substrings of the error, in any order
	}{
		{"inline-secret", "tenants:\n  - name: a\n    client_secret: hunter2\n",
			[]string{`c.yaml:3: key "client_secret" is not allowed`, "client_secret_file", "SG365_CLIENT_SECRET"}},
		{"inline-secret-top", "client_secret: hunter2\n",
			[]string{`c.yaml:1: key "client_secret" is not allowed`}},
		{"inline-cert-password", "tenants:\n  - name: a\n    certificate_password: x\n",
			[]string{`c.yaml:3: key "certificate_password" is not allowed`, "certificate_password_file"}},
		{"unknown-key", "tenants:\n  - name: a\n    tenantid: x\n",
			[]string{`c.yaml:3: unknown key "tenantid" in tenant entry 1`, "tenant_id"}},
		{"unknown-top", "default: a\n", []string{`c.yaml:1: unknown key "default" at the top level`}},
		{"every-unknown-reported", "x: 1\ny: 2\n", []string{`c.yaml:1: unknown key "x"`, `c.yaml:2: unknown key "y"`}},
		{"secret-not-echoed", "tenants:\n  - name: a\n    client_secret: hunter2\n", nil},
		{"not-yaml", "tenants: [\n", []string{"c.yaml: not valid YAML"}},
		{"top-list", "- a\n- b\n", []string{"c.yaml:1: expected a mapping", "found a list"}},
		{"tenants-map", "tenants:\n  a: {}\n", []string{"c.yaml:2: tenants must be a list"}},
		{"tenant-scalar", "tenants:\n  - a\n", []string{`c.yaml:2: expected a mapping of keys to values in tenant entry 1, found the value "a"`}},
		{"wrong-type", "tenants:\n  - name: a\n    managed_identity: maybe\n", []string{"c.yaml:3: wrong type", "bool"}},
		{"two-docs", "tenants: []\n---\ntenants: []\n", []string{"more than one YAML document"}},
		{"duplicate-key", "default_tenant: a\ndefault_tenant: b\n", []string{`c.yaml:2: mapping key "default_tenant" already defined at line 1`}},
		{"no-name", "tenants:\n  - tenant_id: x\n", []string{`c.yaml:2: tenant entry 1 has no name`}},
		{"bad-name", "tenants:\n  - name: my tenant\n", []string{`tenant name "my tenant" must be`}},
		{"dup-name", "tenants:\n  - name: a\n  - name: a\n", []string{`c.yaml:3: tenant name "a" is used twice (also on line 2)`}},
		{"bad-default", "default_tenant: z\ntenants:\n  - name: a\n", []string{`default_tenant "z" is not the name of a tenant`, "names: a"}},
		{"bad-cloud", "tenants:\n  - name: a\n    cloud: azure\n", []string{`cloud "azure" is not one of global, usgov, usgovdod, china`}},
		{"bad-url", "tenants:\n  - name: a\n    graph_url: graph.microsoft.com\n", []string{`graph_url "graph.microsoft.com" is not an absolute URL`}},
		{"bad-tenant-id", "tenants:\n  - name: a\n    tenant_id: 'x/y'\n", []string{`tenant_id "x/y" is not a GUID or domain name`}},
		{"bad-env-name", "tenants:\n  - name: a\n    client_secret_env: 'MY-SECRET'\n", []string{`client_secret_env "MY-SECRET" is not an environment variable name`}},
		{"secret-two-ways", "tenants:\n  - name: a\n    client_secret_env: S\n    client_secret_file: f\n", []string{"client_secret_file and client_secret_env are both set"}},
		{"two-credentials", "tenants:\n  - name: a\n    client_secret_env: S\n    certificate_path: c.pem\n", []string{`tenant "a": names more than one credential`}},
		{"password-no-cert", "tenants:\n  - name: a\n    certificate_password_file: p\n", []string{"certificate_password_file is set without certificate_path"}},
		{"alias-cycle", "a: &a [*a]\n", []string{"c.yaml:1: an alias refers to the node that contains it"}},
		{"merge-cycle", "tenants:\n  - &x\n    <<: *x\n    name: a\n", []string{"c.yaml:2: an alias refers to the node that contains it"}},
		{"tenant-merged-into-top", "tenants:\n  - &x {name: a}\n<<: *x\n", []string{`c.yaml:2: unknown key "name" at the top level`}},
		{"alias-bomb", aliasBomb(), []string{"c.yaml: document contains excessive aliasing"}},
		{"too-big", strings.Repeat("#", MaxFileSize+1), []string{"larger than"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse([]byte(tc.in), "c.yaml")
			if err == nil {
				t.Fatalf("Parse = %+v, want an error", f)
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q\ndoes not contain %q", msg, w)
				}
			}
			if strings.Contains(msg, "hunter2") {
				t.Errorf("error echoes the secret: %q", msg)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Errorf("error %T is not a *config.Error", err)
			}
		})
	}
}

func TestLocate(t *testing.T) {
	env := func(kv ...string) func(string) (string, bool) {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	for _, tc := range []struct {
		name     string
		flag     string
		env      func(string) (string, bool)
		want     string
		explicit bool
	}{
		{"flag-wins", "/f.yaml", env("SG365_CONFIG", "/e.yaml", "HOME", "/h"), "/f.yaml", true},
		{"env", "", env("SG365_CONFIG", "/e.yaml", "HOME", "/h"), "/e.yaml", true},
		{"xdg", "", env("XDG_CONFIG_HOME", "/x", "HOME", "/h"), "/x/sg365/config.yaml", false},
		{"relative-xdg-ignored", "", env("XDG_CONFIG_HOME", "x", "HOME", "/h"), "/h/.config/sg365/config.yaml", false},
		{"home", "", env("HOME", "/h"), "/h/.config/sg365/config.yaml", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, explicit, err := Locate(tc.flag, tc.env)
			if err != nil || got != filepath.FromSlash(tc.want) || explicit != tc.explicit {
				t.Errorf("Locate = %q, %v, %v; want %q, %v", got, explicit, err, tc.want, tc.explicit)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.yaml")
	if f, err := Load(missing, false); err != nil || len(f.Tenants) != 0 {
		t.Errorf("Load(missing, optional) = %+v, %v; want empty config", f, err)
	}
	if _, err := Load(missing, true); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("Load(missing, required) = %v; want an error naming the file", err)
	}
	p := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(p, []byte(validYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Load(p, true)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if f.Path != p || f.Dir != dir {
		t.Errorf("Path, Dir = %q, %q; want %q, %q", f.Path, f.Dir, p, dir)
	}
	if err := os.WriteFile(p, []byte("tenants:\n  - name: a\n    secret: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p, true); err == nil || !strings.HasPrefix(err.Error(), p+":3: ") {
		t.Errorf("Load(bad) = %v; want an error starting %q", err, p+":3: ")
	}
}

// aliasBomb is the "billion laughs" document written with merge keys, so
// that every level passes the key check: 9 levels of 9 aliases each.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("tenants:\n  - &l0 {name: lol}\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "  - &l%d {<<: [", i)
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]}\n")
	}
	return b.String()
}
