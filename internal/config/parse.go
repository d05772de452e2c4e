package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// secretKeys are keys people write when they try to put a credential in the
// file, with the advice the error gives instead.
var secretKeys = map[string]string{
	"client_secret": "secrets are never stored in the config file: write the secret to a file readable " +
		"only by you and set client_secret_file, or set the " + EnvClientSecret + " environment variable " +
		"(client_secret_env names another variable)",
	"certificate_password": "secrets are never stored in the config file: write the password to a file " +
		"readable only by you and set certificate_password_file, or set " + EnvCertPassword,
}

var (
	fileKeys   = yamlKeys(reflect.TypeFor[File]())
	tenantKeys = yamlKeys(reflect.TypeFor[Tenant]())
)

// yamlKeys lists the keys a struct accepts, from its yaml tags.
func yamlKeys(t reflect.Type) []string {
	var keys []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}

// Parse decodes a configuration file's content; name is used in messages.
// Unknown keys, inline secrets, wrong types and invalid values are errors
// of type *Error naming the line, all of them joined. Relative paths are
// kept as written; Load sets the directory they are relative to.
func Parse(data []byte, name string) (*File, error) {
	if len(data) > MaxFileSize {
		return nil, &Error{Path: name, Msg: fmt.Sprintf("larger than %d bytes; is this the right file?", MaxFileSize)}
	}
	doc, err := parseNode(data, name)
	if err != nil || doc == nil {
		return &File{}, err
	}
	p := &parser{name: name, checked: map[checkKey]bool{}}
	if err := p.checkCycles(doc, map[*yaml.Node]bool{}, map[*yaml.Node]bool{}); err != nil {
		return nil, err
	}
	p.checkMapping(doc, fileKeys, "at the top level", func(key string, v *yaml.Node) {
		if key == "tenants" {
			p.checkTenants(v)
		}
	})
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	var f File
	if err := doc.Decode(&f); err != nil {
		return nil, p.decodeError(err)
	}
	tenantNodes := entries(tenantsNode(doc, map[*yaml.Node]bool{}))
	for i := range f.Tenants {
		if i < len(tenantNodes) {
			f.Tenants[i].line = tenantNodes[i].Line
		}
	}
	if err := f.validate(name); err != nil {
		return nil, err
	}
	return &f, nil
}

// parseNode returns the document's root node, or nil for an empty document.
func parseNode(data []byte, name string) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, &Error{Path: name, Msg: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &Error{Path: name, Line: extra.Line, Msg: "holds more than one YAML document; keep one"}
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil
	}
	return root, nil
}

type checkKey struct {
	n      *yaml.Node
	schema string
}

type parser struct {
	name    string
	errs    []error
	checked map[checkKey]bool // mappings already checked, reached again through aliases
}

// checkCycles rejects an alias inside the node its anchor names ("&a [*a]"),
// which the YAML parser accepts but which would make every later walk
// endless. done holds nodes already explored, so shared aliases cost
// nothing extra.
func (p *parser) checkCycles(n *yaml.Node, onPath, done map[*yaml.Node]bool) error {
	if n == nil || done[n] {
		return nil
	}
	if onPath[n] {
		return &Error{Path: p.name, Line: n.Line, Msg: "an alias refers to the node that contains it"}
	}
	onPath[n] = true
	next := n.Content
	if n.Kind == yaml.AliasNode {
		next = []*yaml.Node{n.Alias}
	}
	for _, c := range next {
		if err := p.checkCycles(c, onPath, done); err != nil {
			return err
		}
	}
	delete(onPath, n)
	done[n] = true
	return nil
}

func (p *parser) errorf(line int, format string, args ...any) {
	p.errs = append(p.errs, &Error{Path: p.name, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// deref follows aliases to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// checkMapping reports keys of n outside known (where says where, for the
// message) and calls each for every known key. Merge keys ("<<") are
// checked as if their mappings' keys were written in n.
func (p *parser) checkMapping(n *yaml.Node, known []string, where string, each func(key string, v *yaml.Node)) {
	n = deref(n)
	key := checkKey{n, strings.Join(known, ",")}
	if p.checked[key] {
		return
	}
	p.checked[key] = true
	if n.Kind != yaml.MappingNode {
		p.errorf(n.Line, "expected a mapping of keys to values %s, found %s", where, kindName(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errorf(k.Line, "a key %s must be a plain string, found %s", where, kindName(k))
			continue
		}
		switch {
		case k.Tag == "!!merge":
			for _, m := range mergeSources(v) {
				p.checkMapping(m, known, where, each)
			}
		case slices.Contains(known, k.Value):
			each(k.Value, v)
		case secretKeys[k.Value] != "":
			p.errorf(k.Line, "key %q is not allowed: %s", k.Value, secretKeys[k.Value])
		default:
			p.errorf(k.Line, "unknown key %q %s (known keys: %s)", k.Value, where, strings.Join(known, ", "))
		}
	}
}

func mergeSources(v *yaml.Node) []*yaml.Node {
	v = deref(v)
	if v.Kind == yaml.SequenceNode {
		return v.Content
	}
	return []*yaml.Node{v}
}

func (p *parser) checkTenants(v *yaml.Node) {
	v = deref(v)
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return
	}
	if v.Kind != yaml.SequenceNode {
		p.errorf(v.Line, "tenants must be a list (one \"- name: ...\" entry per tenant), found %s", kindName(v))
		return
	}
	for i, t := range v.Content {
		p.checkMapping(t, tenantKeys, fmt.Sprintf("in tenant entry %d", i+1), func(string, *yaml.Node) {})
	}
}

// tenantsNode returns the value of the top-level tenants key, following
// aliases and merges; nil if absent.
func tenantsNode(root *yaml.Node, seen map[*yaml.Node]bool) *yaml.Node {
	root = deref(root)
	if seen[root] {
		return nil
	}
	seen[root] = true
	var found *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch {
		case k.Tag == "!!merge":
			for _, m := range mergeSources(v) {
				if t := tenantsNode(m, seen); t != nil && found == nil {
					found = t
				}
			}
		case k.Value == "tenants":
			found = v // an explicit key wins over merged ones
		}
	}
	return found
}

func entries(n *yaml.Node) []*yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, e := range n.Content {
		out[i] = deref(e)
	}
	return out
}

// decodeError turns the YAML library's type errors ("line 3: cannot
// unmarshal !!seq into string") into *Error values.
func (p *parser) decodeError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return &Error{Path: p.name, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	for _, msg := range te.Errors {
		line := 0
		if rest, ok := strings.CutPrefix(msg, "line "); ok {
			if n, tail, ok := strings.Cut(rest, ": "); ok {
				if _, err := fmt.Sscanf(n, "%d", &line); err == nil {
					msg = tail
				}
			}
		}
		if strings.HasPrefix(msg, "cannot unmarshal") {
			msg = "wrong type: " + msg
		}
		p.errorf(line, "%s", msg)
	}
	return errors.Join(p.errs...)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("the value %q", n.Value)
	default:
		return "an unexpected node"
	}
}
