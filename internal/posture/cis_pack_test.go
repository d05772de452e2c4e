package posture

import (
	"io/fs"
	"os"
	"path"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
)

// TestCISPackStandalone: the cis_m365 pack is in `opa fmt` form and
// compiles in strict mode on its own, without the scuba_aad helpers, since
// --pack cis_m365 loads nothing else. SG365_REGO_FMT=1 rewrites its
// unformatted files (and only those).
func TestCISPackStandalone(t *testing.T) {
	modules := map[string]*ast.Module{}
	err := fs.WalkDir(packs, "packs/cis_m365", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isRuleFile(p) {
			return err
		}
		src, err := packs.ReadFile(p)
		if err != nil {
			return err
		}
		want, err := format.Source(p, src)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		if string(want) != string(src) {
			if os.Getenv("SG365_REGO_FMT") == "1" {
				if err := os.WriteFile(p, want, 0o644); err != nil {
					t.Error(err)
				}
			} else {
				t.Errorf("%s is not formatted (SG365_REGO_FMT=1 go test -run CISPackStandalone rewrites it)", p)
			}
		}
		m, err := ast.ParseModuleWithOpts(p, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		if path.Base(path.Dir(p)) != "cis_m365" {
			t.Errorf("%s: not in the cis_m365 pack", p)
		}
		modules[p] = m
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(modules) == 0 {
		t.Fatal("no cis_m365 rules embedded")
	}
	c := ast.NewCompiler().WithStrict(true)
	if c.Compile(modules); c.Failed() {
		t.Errorf("strict compile of cis_m365 alone: %v", c.Errors)
	}
}
