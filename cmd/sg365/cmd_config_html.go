package main

import (
	"bytes"
	"encoding/json"
	"html/template"
	"io"
	"strings"

	"github.com/safeguard365/safeguard365/internal/tenantguard"
)

// configDiffPage is the self-contained HTML report of a configuration
// diff: inline CSS, no scripts, no external URLs, so it can be mailed or
// archived as one file. html/template escapes every value.
var configDiffPage = template.Must(template.New("diff").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Configuration drift {{.From}} → {{.To}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em;color:#222;max-width:75em}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}h3{font-size:1em;margin-bottom:.3em}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right}code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
pre{background:#f8f8f8;padding:.6em;overflow:auto;max-height:25em}td code{white-space:pre-wrap}
.op{display:inline-block;padding:0 .5em;border-radius:.3em;font-size:.85em;font-weight:600}
.added{background:#e3f4e3;color:#1a5e1a}.removed{background:#fbe3e3;color:#8a1c1c}.changed{background:#fff3cd;color:#7a5a00}
.unknown{background:#e7e7f7;color:#33338a}.ok{color:#1a5e1a}.muted{color:#666}
</style>
</head>
<body>
<h1>Tenant configuration: {{if .Changed}}{{.Changed}} objects differ{{else}}no differences{{end}}{{if .Unknown}}, {{len .Unknown}} kinds not compared{{end}}</h1>
<p>From snapshot <code>{{.From}}</code> (tenant <code>{{.FromTenant}}</code>, taken {{.FromTime}})
to snapshot <code>{{.To}}</code> (tenant <code>{{.ToTenant}}</code>, taken {{.ToTime}}).{{if .Note}}<br>Compared {{.Note}}.{{end}}</p>
<p class="muted">Timestamps and version counters are ignored; lists that are sets in Microsoft Graph compare as sets.
A kind marked unknown could not be read by one of the snapshots: its objects are not compared, and nothing in it is reported as removed.</p>
<h2>Summary</h2>
<table>
<tr><th>Kind</th><th>Added</th><th>Removed</th><th>Changed</th><th>Status</th></tr>
{{range .Kinds}}<tr><td><a href="#{{.Kind}}">{{.Kind}}</a></td><td class="n">{{.Added}}</td><td class="n">{{.Removed}}</td><td class="n">{{.Changed}}</td>
<td>{{if .Unknown}}<span class="op unknown">unknown</span> {{.Reason}}{{else if .Total}}<span class="op changed">differs</span>{{else}}<span class="ok">same</span>{{end}}</td></tr>
{{end}}</table>
{{if .Matched}}<h2>Objects found under a new id</h2>
<table><tr><th>Kind</th><th>Old id</th><th>New id</th><th>Matched by</th></tr>
{{range .Matched}}<tr><td>{{.Kind}}</td><td><code>{{.OldKey}}</code></td><td><code>{{.NewKey}}</code></td><td>{{.By}}</td></tr>
{{end}}</table>{{end}}
{{range .Kinds}}{{if or .Unknown .Total}}<h2 id="{{.Kind}}">{{.Kind}}</h2>
{{if .Unknown}}<p><span class="op unknown">unknown</span> Not compared: {{.Reason}}</p>{{end}}
{{range .Objects}}<h3><span class="op {{.Op}}">{{.Op}}</span> {{if .Name}}{{.Name}} {{end}}<code class="muted">{{.Key}}</code>{{if .OldKey}} <span class="muted">(formerly <code>{{.OldKey}}</code>)</span>{{end}}</h3>
{{if .Changes}}<table><tr><th>Property</th><th>Old</th><th>New</th></tr>
{{range .Changes}}<tr><td><code>{{.Path}}</code></td><td><code>{{.Old}}</code></td><td><code>{{.New}}</code></td></tr>
{{end}}</table>{{end}}
{{if .JSON}}<pre>{{.JSON}}</pre>{{end}}
{{end}}{{end}}{{end}}
</body>
</html>
`))

type htmlDiff struct {
	From, To, FromTenant, ToTenant, FromTime, ToTime, Note string
	Changed                                                int
	Unknown                                                []string
	Kinds                                                  []htmlKind
	Matched                                                []tenantguard.Match
}

type htmlKind struct {
	Kind, Reason                   string
	Unknown                        bool
	Added, Removed, Changed, Total int
	Objects                        []htmlObject
}

type htmlObject struct {
	Op, Name, Key, OldKey, JSON string
	Changes                     []htmlChange
}

type htmlChange struct{ Path, Old, New string }

// writeConfigDiffHTML writes the diff of a (older) and b as one HTML page.
// Every registered kind is listed in the summary, so a reader sees what
// was compared as well as what differs.
func writeConfigDiffHTML(w io.Writer, a, b *tenantguard.State, res tenantguard.Result, note string) error {
	d := htmlDiff{From: string(a.ID), To: string(b.ID), FromTenant: a.TenantID, ToTenant: b.TenantID,
		FromTime: a.Started.UTC().Format("2006-01-02 15:04 UTC"), ToTime: b.Started.UTC().Format("2006-01-02 15:04 UTC"),
		Note: note, Changed: res.Changed(), Unknown: res.Unknown(), Matched: res.Matched}
	byKind := map[string]tenantguard.KindDiff{}
	for _, kd := range res.Kinds {
		byKind[kd.Kind] = kd
	}
	names := tenantguard.KindNames()
	for _, kd := range res.Kinds {
		if tenantguard.Lookup(kd.Kind) == nil {
			names = append(names, kd.Kind)
		}
	}
	for _, name := range names {
		kd, ok := byKind[name]
		_, inA := a.Kinds[name]
		_, inB := b.Kinds[name]
		if !ok && !inA && !inB {
			continue // collected by neither snapshot
		}
		hk := htmlKind{Kind: name, Unknown: kd.Unknown, Reason: kd.Reason, Total: len(kd.Objects)}
		for _, oc := range kd.Objects {
			ho := htmlObject{Op: oc.Op, Name: oc.DisplayName, Key: oc.Key, OldKey: oc.OldKey}
			switch oc.Op {
			case "added":
				hk.Added++
				ho.JSON = indentJSON(oc.New)
			case "removed":
				hk.Removed++
				ho.JSON = indentJSON(oc.Old)
			default:
				hk.Changed++
			}
			for _, ch := range oc.Changes {
				ho.Changes = append(ho.Changes, htmlChangeOf(ch, a, b))
			}
			hk.Objects = append(hk.Objects, ho)
		}
		d.Kinds = append(d.Kinds, hk)
	}
	var buf bytes.Buffer
	if err := configDiffPage.Execute(&buf, d); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func htmlChangeOf(ch tenantguard.Change, a, b *tenantguard.State) htmlChange {
	hc := htmlChange{Path: ch.Path, Old: "(absent)", New: "(absent)"}
	if hc.Path == "" {
		hc.Path = "(object)"
	}
	if ch.Added != nil || ch.Removed != nil {
		var rem, add []string
		for _, v := range ch.Removed {
			rem = append(rem, "−"+refName(v, a, b))
		}
		for _, v := range ch.Added {
			add = append(add, "+"+refName(v, a, b))
		}
		hc.Old, hc.New = strings.Join(rem, "\n"), strings.Join(add, "\n")
		return hc
	}
	if ch.Old != nil {
		hc.Old = compactJSON(ch.Old)
	}
	if ch.New != nil {
		hc.New = compactJSON(ch.New)
	}
	return hc
}

func indentJSON(b []byte) string {
	var buf bytes.Buffer
	if json.Indent(&buf, b, "", "  ") != nil {
		return string(b)
	}
	return buf.String()
}
