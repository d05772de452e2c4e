package posture

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// packs holds the built-in rule packs, one directory per pack.
//
//go:embed packs
var packs embed.FS

// Sentinel errors for rule loading.
var (
	// ErrRuleMetadata is wrapped when a rule's METADATA is missing or invalid.
	ErrRuleMetadata = errors.New("invalid rule metadata")
	// ErrRule is wrapped when a rule file does not parse, compile or
	// follow the pack conventions.
	ErrRule = errors.New("invalid rule")
)

// deniedBuiltins are Rego built-ins rules may not call: network access and
// values that change between runs, which would make results and finding
// history depend on when and where sg365 ran.
var deniedBuiltins = []string{"http.send", "net.lookup_ip_addr", "opa.runtime", "rand.intn",
	"uuid.rfc4122", "uuid.parse", "time.now_ns", "trace", "print"}

// Options configure New.
type Options struct {
	// RuleDirs are directories of user .rego files (not recursive; files
	// ending in _test.rego are skipped). Their rules join the built-in
	// ones; a duplicate rule id is an error.
	RuleDirs []string
	// NoBuiltin leaves out the embedded packs.
	NoBuiltin bool
	// Packs names the embedded packs to load (directories under packs/, e.g. "ad"); empty loads scuba_aad, the tenant baseline.
	Packs []string
	// Now stamps Report.GeneratedAt; default time.Now.
	Now func() time.Time
}

// Engine holds compiled rules. Create it with New; the zero value is not
// usable. An Engine is safe for concurrent use: Evaluate may run from
// several goroutines at once.
type Engine struct {
	rules    []*Rule // sorted by id
	byID     map[string]*Rule
	prepared map[string]rego.PreparedEvalQuery
	packs    []string
	now      func() time.Time
}

type sourceFile struct {
	pack, name string // name is what errors show
	src        []byte
}

// New loads the embedded packs and opts.RuleDirs, validates each rule's
// metadata, compiles everything once and prepares one query per rule.
// Errors wrap ErrRule or ErrRuleMetadata and name the file (and rule).
func New(ctx context.Context, opts Options) (*Engine, error) {
	var files []sourceFile
	var packNames []string
	if !opts.NoBuiltin {
		err := fs.WalkDir(packs, "packs", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !isRuleFile(p) {
				return err
			}
			pack := path.Base(path.Dir(p))
			if want := opts.Packs; (len(want) == 0 && pack != "scuba_aad") || (len(want) > 0 && !slices.Contains(want, pack)) {
				return nil
			}
			b, err := packs.ReadFile(p)
			if err != nil {
				return err
			}
			if !slices.Contains(packNames, pack) {
				packNames = append(packNames, pack)
			}
			files = append(files, sourceFile{pack: pack, name: p, src: b})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read embedded packs: %w", err)
		}
	}
	for _, dir := range opts.RuleDirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("rule directory: %w", err)
		}
		n := 0
		for _, e := range entries {
			if e.IsDir() || !isRuleFile(e.Name()) {
				continue
			}
			p := filepath.Join(dir, e.Name())
			b, err := os.ReadFile(p)
			if err != nil {
				return nil, err
			}
			files = append(files, sourceFile{pack: dir, name: p, src: b})
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("rule directory %s: %w: no .rego files", dir, ErrRule)
		}
		packNames = append(packNames, dir)
	}
	e := &Engine{byID: map[string]*Rule{}, prepared: map[string]rego.PreparedEvalQuery{}, packs: packNames, now: opts.Now}
	if e.now == nil {
		e.now = time.Now
	}
	modules := map[string]*ast.Module{}
	rulePkgs := map[string]string{} // package path -> file, for rule modules
	for _, f := range files {
		m, err := ast.ParseModuleWithOpts(f.name, string(f.src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrRule, err)
		}
		modules[f.name] = m
		r, err := ruleFromModule(f.name, m)
		if err != nil {
			return nil, err
		}
		if r == nil {
			continue // a helper library
		}
		r.Pack = f.pack
		if prev, dup := e.byID[r.ID]; dup {
			return nil, fmt.Errorf("%s: %w: rule id %s is already defined in %s", f.name, ErrRule, r.ID, prev.File)
		}
		pkg := m.Package.Path.String()
		if prev, dup := rulePkgs[pkg]; dup {
			return nil, fmt.Errorf("%s: %w: rule %s shares package %s with %s; give each rule its own package", f.name, ErrRule, r.ID, pkg, prev)
		}
		rulePkgs[pkg] = f.name
		e.byID[r.ID] = r
		e.rules = append(e.rules, r)
	}
	slices.SortFunc(e.rules, func(a, b *Rule) int { return compareIDs(a.ID, b.ID) })

	caps := ast.CapabilitiesForThisVersion()
	caps.Builtins = slices.DeleteFunc(slices.Clone(caps.Builtins), func(b *ast.Builtin) bool {
		return slices.Contains(deniedBuiltins, b.Name)
	})
	c := ast.NewCompiler().WithCapabilities(caps)
	c.Compile(modules)
	if c.Failed() {
		return nil, fmt.Errorf("%w: compile: %v", ErrRule, c.Errors)
	}
	for _, r := range e.rules {
		if r.Manual != "" {
			continue
		}
		pq, err := rego.New(rego.Compiler(c), rego.Query(r.query), rego.StrictBuiltinErrors(true)).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: %w: rule %s: %v", r.File, ErrRule, r.ID, err)
		}
		e.prepared[r.ID] = pq
	}
	return e, nil
}

func isRuleFile(name string) bool {
	return strings.HasSuffix(name, ".rego") && !strings.HasSuffix(name, "_test.rego")
}

// ruleFromModule returns the rule a module declares, or nil for a library
// (a module without package-scope METADATA).
func ruleFromModule(file string, m *ast.Module) (*Rule, error) {
	var pkgAnn *ast.Annotations
	for _, a := range m.Annotations {
		if a.Scope == "package" {
			pkgAnn = a
		}
	}
	if pkgAnn == nil {
		return nil, nil
	}
	r, err := ruleFromAnnotations(file, pkgAnn)
	if err != nil {
		return nil, err
	}
	hasResult := slices.ContainsFunc(m.Rules, func(x *ast.Rule) bool { return x.Head.Ref().String() == "result" })
	switch {
	case r.Manual != "" && hasResult:
		return nil, fmt.Errorf("%s: %w: rule %s is manual but defines result", file, ErrRule, r.ID)
	case r.Manual == "" && !hasResult:
		return nil, fmt.Errorf("%s: %w: rule %s defines no result (or set custom.manual)", file, ErrRule, r.ID)
	}
	r.query = m.Package.Path.String() + ".result"
	return r, nil
}

// Rules returns the loaded rules sorted by id. Callers must not modify them.
func (e *Engine) Rules() []*Rule { return slices.Clone(e.rules) }

// Packs names the loaded packs: embedded pack names, then rule directories.
func (e *Engine) Packs() []string { return slices.Clone(e.packs) }

// ruleOutput is what a rule's result must look like.
type ruleOutput struct {
	Status   Status     `json:"status"`
	Summary  string     `json:"summary"`
	Reason   string     `json:"reason"`
	Evidence []Evidence `json:"evidence"`
}

// Evaluate grades inv against every rule. ex may be nil. A rule whose
// sources are not collected, or whose evaluation fails, yields a Result with
// StatusError; Evaluate itself fails only for bad exclusions, an invalid
// inventory or a cancelled context.
func (e *Engine) Evaluate(ctx context.Context, inv *Inventory, ex *Exclusions) (*Report, error) {
	if err := inv.Validate(); err != nil {
		return nil, err
	}
	if err := ex.check(e.byID); err != nil {
		return nil, err
	}
	base, plans, licErr, err := baseInput(inv)
	if err != nil {
		return nil, err
	}
	rep := &Report{SchemaVersion: ReportSchemaVersion, Tenant: inv.Tenant, CollectedAt: inv.CollectedAt,
		GeneratedAt: e.now().UTC(), Packs: e.Packs(), Exclusions: ex, Sources: maps.Clone(inv.Sources)}
	for _, r := range e.rules {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res := e.evalRule(ctx, r, inv, base, plans, licErr, ex.For(r.ID))
		if err := ctx.Err(); err != nil {
			return nil, err // the rule's error was the cancellation
		}
		rep.Results = append(rep.Results, res)
	}
	for i := range rep.Results {
		rep.Results[i].FindingIDs = findingIDs(inv.Tenant.ID, rep.Results[i])
	}
	rep.Summary = summarize(rep.Results)
	return rep, nil
}

func (e *Engine) evalRule(ctx context.Context, r *Rule, inv *Inventory, base [][2]*ast.Term,
	plans map[string]bool, licErr string, ex RuleExclusions) Result {
	res := Result{Rule: r}
	if !ex.Empty() {
		res.Exclusions = &ex
	}
	if r.Manual != "" {
		res.Status, res.Reason = StatusNA, "manual check: "+r.Manual
		res.Summary = "not checkable through the Graph API; verify by hand"
		return res
	}
	for _, s := range r.Sources {
		if st := inv.SourceState(s); st.Status != SourceOK {
			res.Status = StatusError
			res.Reason = fmt.Sprintf("source %s: %s", s, st.Status)
			if st.Error != "" {
				res.Reason += ": " + st.Error
			}
			res.Summary = "required input was not collected; result unknown"
			return res
		}
	}
	if len(r.ServicePlans) > 0 {
		if licErr != "" {
			res.Status, res.Reason = StatusError, "licence unknown: "+licErr
			res.Summary = "could not tell whether the tenant is licensed; result unknown"
			return res
		}
		if !slices.ContainsFunc(r.ServicePlans, func(p string) bool { return plans[strings.ToUpper(p)] }) {
			res.Status = StatusNA
			res.Reason = "not licensed: needs service plan " + strings.Join(r.ServicePlans, " or ")
			res.Summary = "the tenant has no licence for this feature"
			return res
		}
	}
	exTerm, _ := ast.InterfaceToValue(map[string]any{"users": nz(ex.Users), "groups": nz(ex.Groups), "roles": nz(ex.Roles)})
	input := ast.NewObject(append(slices.Clone(base), [2]*ast.Term{ast.StringTerm("exclusions"), ast.NewTerm(exTerm)})...)
	rs, err := e.prepared[r.ID].Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		res.Status, res.Reason, res.Summary = StatusError, "rule failed to run: "+err.Error(), "evaluation error"
		return res
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		res.Status, res.Reason, res.Summary = StatusError, "rule produced no result (result is undefined for this input)", "evaluation error"
		return res
	}
	out, err := decodeOutput(rs[0].Expressions[0].Value)
	if err != nil {
		res.Status, res.Reason, res.Summary = StatusError, fmt.Sprintf("rule %s returned an invalid result: %v", r.ID, err), "evaluation error"
		return res
	}
	res.Status, res.Summary, res.Evidence = out.Status, out.Summary, out.Evidence
	if out.Reason != "" {
		res.Reason = out.Reason
	}
	if res.Status == StatusFail && r.Level == LevelShould {
		res.Status = StatusWarning
	}
	return res
}

func nz(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func decodeOutput(v any) (ruleOutput, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return ruleOutput{}, err
	}
	var out ruleOutput
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return ruleOutput{}, err
	}
	switch out.Status {
	case StatusPass, StatusFail, StatusNA, StatusError:
	default:
		return ruleOutput{}, fmt.Errorf("status %q: want pass, fail, na or error", out.Status)
	}
	if out.Summary == "" {
		return ruleOutput{}, errors.New("summary is empty")
	}
	for i, ev := range out.Evidence {
		if ev.ID == "" || ev.Type == "" {
			return ruleOutput{}, fmt.Errorf("evidence[%d] needs type and id", i)
		}
	}
	slices.SortStableFunc(out.Evidence, func(a, b Evidence) int {
		return strings.Compare(a.Type+"\x00"+a.ID+"\x00"+a.Detail, b.Type+"\x00"+b.ID+"\x00"+b.Detail)
	})
	return out, nil
}

// baseInput converts the inventory to the Rego input document once:
//
//	{"tenant": …, "collectedAt": …, "sources": {key: {"status": …}},
//	 "data": {key: Graph JSON}, "servicePlans": [enabled plan names]}
//
// It also returns the enabled service plans, or why they are unknown.
func baseInput(inv *Inventory) (items [][2]*ast.Term, plans map[string]bool, licErr string, err error) {
	data := ast.NewObject()
	for _, k := range slices.Sorted(maps.Keys(inv.Data)) {
		if inv.SourceState(k).Status != SourceOK {
			continue // data of a failed source must not be read
		}
		v, err := ast.ValueFromReader(bytes.NewReader(inv.Data[k]))
		if err != nil {
			return nil, nil, "", fmt.Errorf("%w: data.%s: %v", ErrInventory, k, err)
		}
		data.Insert(ast.StringTerm(k), ast.NewTerm(v))
	}
	sources := map[string]any{}
	for k, st := range inv.Sources {
		sources[k] = map[string]any{"status": st.Status}
	}
	plans, licErr = enabledPlans(inv)
	planList := []string{}
	for _, p := range slices.Sorted(maps.Keys(plans)) {
		planList = append(planList, p)
	}
	head, err := ast.InterfaceToValue(map[string]any{
		"tenant":       map[string]any{"id": inv.Tenant.ID, "displayName": inv.Tenant.DisplayName},
		"collectedAt":  inv.CollectedAt.UTC().Format(time.RFC3339),
		"sources":      sources,
		"servicePlans": planList,
	})
	if err != nil {
		return nil, nil, "", err
	}
	head.(ast.Object).Foreach(func(k, v *ast.Term) { items = append(items, [2]*ast.Term{k, v}) })
	items = append(items, [2]*ast.Term{ast.StringTerm("data"), ast.NewTerm(data)})
	return items, plans, licErr, nil
}

// enabledPlans reads subscribedSkus: a plan counts when its SKU is enabled
// (or in its grace period, "Warning") and the plan is provisioned.
func enabledPlans(inv *Inventory) (map[string]bool, string) {
	const key = "subscribedSkus"
	if st := inv.SourceState(key); st.Status != SourceOK {
		msg := "source " + key + ": " + st.Status
		if st.Error != "" {
			msg += ": " + st.Error
		}
		return nil, msg
	}
	var skus []struct {
		CapabilityStatus string `json:"capabilityStatus"`
		ServicePlans     []struct {
			ServicePlanName    string `json:"servicePlanName"`
			ProvisioningStatus string `json:"provisioningStatus"`
		} `json:"servicePlans"`
	}
	if err := json.Unmarshal(inv.Data[key], &skus); err != nil {
		return nil, "source " + key + ": " + err.Error()
	}
	plans := map[string]bool{}
	for _, s := range skus {
		if s.CapabilityStatus != "Enabled" && s.CapabilityStatus != "Warning" {
			continue
		}
		for _, p := range s.ServicePlans {
			if p.ProvisioningStatus == "Success" {
				plans[strings.ToUpper(p.ServicePlanName)] = true
			}
		}
	}
	return plans, ""
}

// compareIDs orders rule ids with embedded numbers compared numerically,
// so MS.AAD.3.10v1 follows MS.AAD.3.9v1.
func compareIDs(a, b string) int {
	for a != "" && b != "" {
		da, db := digitPrefix(a), digitPrefix(b)
		if da != "" && db != "" {
			if c := compareNum(da, db); c != 0 {
				return c
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func digitPrefix(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

func compareNum(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}
