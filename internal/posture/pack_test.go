package posture

import (
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
)

// checkPackFiles checks that the embedded rule files below dir are in
// `opa fmt` form and compile together in strict mode (no unused variables,
// imports or shadowed names), and returns them parsed, by path. With
// SG365_REGO_FMT=1 it rewrites unformatted files; rerun names the test to
// run for that.
func checkPackFiles(t *testing.T, dir, rerun string) map[string]*ast.Module {
	t.Helper()
	modules := map[string]*ast.Module{}
	err := fs.WalkDir(packs, dir, func(p string, d fs.DirEntry, err error) error {
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
				t.Errorf("%s is not formatted (SG365_REGO_FMT=1 go test -run %s rewrites it)", p, rerun)
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
		t.Errorf("strict compile of %s: %v", dir, c.Errors)
	}
	return modules
}

// TestPackStyle: the embedded rules are in `opa fmt` form and compile in
// strict mode. Set SG365_REGO_FMT=1 to rewrite unformatted files.
func TestPackStyle(t *testing.T) {
	checkPackFiles(t, "packs", "PackStyle")
}

// TestCISPackStandalone: the cis_m365 pack is in `opa fmt` form and
// compiles in strict mode on its own, without the scuba_aad helpers, since
// --pack cis_m365 loads nothing else. SG365_REGO_FMT=1 rewrites its
// unformatted files (and only those).
func TestCISPackStandalone(t *testing.T) {
	modules := checkPackFiles(t, "packs/cis_m365", "CISPackStandalone")
	if len(modules) == 0 {
		t.Fatal("no cis_m365 rules embedded")
	}
	for _, p := range slices.Sorted(maps.Keys(modules)) {
		if path.Base(path.Dir(p)) != "cis_m365" {
			t.Errorf("%s: not in the cis_m365 pack", p)
		}
	}
}
