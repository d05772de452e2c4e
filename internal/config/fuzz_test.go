package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzParse checks that Parse never panics, that every error names the file
// and is a *Error, and that what it accepts survives a write and re-read.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		validYAML,
		"",
		"tenants:\n  - name: a\n    client_secret: x\n",
		"tenants:\n  - &b {name: a, tenant_id: t}\n  - <<: *b\n    name: c\n",
		"default_tenant: a\ntenants: [{name: a, managed_identity: true}]\n",
		"a: &a [*a]\n",
		"tenants:\n  - name: a\n    managed_identity: maybe\n",
		"--- \n...\n---\n",
		"? [a]\n: b\n",
		"tenants: !!map {}\n",
		"<<: {tenants: [{name: x}]}\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data, "fuzz.yaml")
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "fuzz.yaml") {
				t.Fatalf("error does not start with the file name: %q", msg)
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.Msg == "" {
				t.Fatalf("error is not a *config.Error with a message: %#v", err)
			}
			return
		}
		out, err := yaml.Marshal(cfg)
		if err != nil {
			t.Fatalf("marshal accepted config: %v", err)
		}
		again, err := Parse(out, "again.yaml")
		if err != nil {
			t.Fatalf("re-parse of\n%s\nfailed: %v", out, err)
		}
		if !sameTenants(cfg, again) {
			t.Fatalf("round trip changed the config:\n%+v\n%+v", cfg, again)
		}
	})
}

func sameTenants(a, b *File) bool {
	if a.DefaultTenant != b.DefaultTenant || len(a.Tenants) != len(b.Tenants) {
		return false
	}
	for i := range a.Tenants {
		x, y := a.Tenants[i], b.Tenants[i]
		x.line, y.line = 0, 0
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}
