package posture

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// Exclusions are the objects an organisation allows a rule to leave out,
// such as break-glass accounts excluded from conditional access policies.
// The YAML form is:
//
//	rules:
//	  MS.AAD.3.2v2:
//	    users: [<object id>, ...]
//	    groups: [<object id>, ...]
//	    roles: [<role template id>, ...]
//	    note: emergency access accounts, see runbook 12
//
// Only rules whose metadata declares an exclusion kind accept entries;
// Engine.Evaluate rejects the others. The zero value excludes nothing.
type Exclusions struct {
	Rules map[string]RuleExclusions `yaml:"rules" json:"rules,omitempty"`
}

// RuleExclusions are the excluded object ids for one rule. Ids compare
// case-insensitively.
type RuleExclusions struct {
	Users  []string `yaml:"users,omitempty" json:"users,omitempty"`
	Groups []string `yaml:"groups,omitempty" json:"groups,omitempty"`
	Roles  []string `yaml:"roles,omitempty" json:"roles,omitempty"`
	Note   string   `yaml:"note,omitempty" json:"note,omitempty"`
}

// Empty reports whether e excludes nothing.
func (e RuleExclusions) Empty() bool {
	return len(e.Users) == 0 && len(e.Groups) == 0 && len(e.Roles) == 0
}

// For returns the exclusions of one rule.
func (e *Exclusions) For(ruleID string) RuleExclusions {
	if e == nil {
		return RuleExclusions{}
	}
	return e.Rules[ruleID]
}

// ErrExclusions is wrapped by every error about an exclusions file.
var ErrExclusions = errors.New("invalid exclusions")

// maxExclusionsBytes bounds an exclusions file; a real one is a few KiB.
const maxExclusionsBytes = 1 << 20

// ParseExclusions decodes an exclusions document. Unknown keys are errors,
// so that a misspelt "user:" does not silently exclude nobody.
func ParseExclusions(b []byte) (*Exclusions, error) {
	if len(b) > maxExclusionsBytes {
		return nil, fmt.Errorf("%w: larger than %d KiB", ErrExclusions, maxExclusionsBytes>>10)
	}
	var ex Exclusions
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&ex); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %v", ErrExclusions, err)
	}
	for _, id := range slices.Sorted(maps.Keys(ex.Rules)) {
		if !ruleIDPattern.MatchString(id) {
			return nil, fmt.Errorf("%w: %q is not a rule id", ErrExclusions, id)
		}
		r := ex.Rules[id]
		for kind, ids := range map[string][]string{"users": r.Users, "groups": r.Groups, "roles": r.Roles} {
			for _, v := range ids {
				if strings.TrimSpace(v) == "" || strings.IndexFunc(v, unicode.IsSpace) >= 0 {
					return nil, fmt.Errorf("%w: %s.%s: %q is not an object id", ErrExclusions, id, kind, v)
				}
			}
		}
		r.Users, r.Groups, r.Roles = lowerAll(r.Users), lowerAll(r.Groups), lowerAll(r.Roles)
		ex.Rules[id] = r
	}
	return &ex, nil
}

// LoadExclusions reads the exclusions file at path.
func LoadExclusions(path string) (*Exclusions, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ex, err := ParseExclusions(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ex, nil
}

// check verifies that each excluded rule exists and accepts that kind of
// exclusion.
func (e *Exclusions) check(rules map[string]*Rule) error {
	if e == nil {
		return nil
	}
	for _, id := range slices.Sorted(maps.Keys(e.Rules)) {
		ex := e.Rules[id]
		r, ok := rules[id]
		switch {
		case !ok:
			return fmt.Errorf("%w: no rule %s is loaded", ErrExclusions, id)
		case r.Exclusions == ExclusionsNone && !ex.Empty():
			return fmt.Errorf("%w: rule %s does not accept exclusions", ErrExclusions, id)
		case r.Exclusions == ExclusionsRole && len(ex.Roles) > 0:
			return fmt.Errorf("%w: rule %s accepts users and groups, not roles", ErrExclusions, id)
		}
	}
	return nil
}
