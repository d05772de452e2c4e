package posture

import (
	"io/fs"
	"os"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
)

// TestPackStyle: the embedded rules are in `opa fmt` form and compile in
// strict mode (no unused variables, imports or shadowed names). Set
// SG365_REGO_FMT=1 to rewrite unformatted files.
func TestPackStyle(t *testing.T) {
	modules := map[string]*ast.Module{}
	err := fs.WalkDir(packs, "packs", func(p string, d fs.DirEntry, err error) error {
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
				t.Errorf("%s is not formatted (SG365_REGO_FMT=1 go test -run PackStyle rewrites it)", p)
			}
		}
		m, err := ast.ParseModuleWithOpts(p, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		modules[p] = m
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := ast.NewCompiler().WithStrict(true)
	if c.Compile(modules); c.Failed() {
		t.Errorf("strict compile: %v", c.Errors)
	}
}
