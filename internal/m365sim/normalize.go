package m365sim

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// keywords maps the lower-case form of Graph path segments to the spelling
// our routes use: Graph matches segment names case-insensitively.
var keywords = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"users", "groups", "members", "organization", "domains", "subscribedSkus",
		"mailFolders", "childFolders", "messages", "attachments", "$value", "delta", "move", "copy",
		"createUploadSession", "calendars", "calendar", "events", "calendarView", "contactFolders",
		"contacts", "drive", "drives", "items", "root", "children", "content", "versions", "permissions",
		"restoreVersion", "$batch", "$count", "mailboxSettings", "instances", "sites", "me"} {
		m[strings.ToLower(k)] = k
	}
	return m
}()

// keyed matches OData key syntax: mailFolders('id'), users(id), delta(token='x').
var keyed = regexp.MustCompile(`^([A-Za-z$.]+)\((.*)\)$`)

// pathRefPrefix marks an item reference addressed by path, e.g. the
// "root:/a/b.txt:" of /drive/root:/a/b.txt:/content becomes the single
// segment "root~<base64url("a/b.txt")>".
const pathRefSep = "~"

// normalizePath rewrites Graph's alternative addressing forms into the plain
// segment form our routes match, and returns query parameters carried in the
// path (function parameters such as delta(token='…')).
func normalizePath(p string) (string, url.Values, error) {
	var extra url.Values
	p, err := foldPathRefs(p)
	if err != nil {
		return "", nil, err
	}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	out := make([]string, 0, len(segs)+2)
	for _, seg := range segs {
		if m := keyed.FindStringSubmatch(seg); m != nil {
			name, arg := m[1], m[2]
			if k, ok := keywords[strings.ToLower(name)]; ok {
				name = k
			}
			if name == "delta" {
				// Function parameters: delta(), delta(token='x').
				out = append(out, name)
				if arg != "" {
					k, v, ok := strings.Cut(arg, "=")
					if !ok {
						return "", nil, fmt.Errorf("Invalid function parameter '%s' in segment '%s'.", arg, seg)
					}
					if extra == nil {
						extra = url.Values{}
					}
					extra.Set(strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), "'"))
				}
				continue
			}
			out = append(out, name, strings.Trim(arg, "'"))
			continue
		}
		if k, ok := keywords[strings.ToLower(seg)]; ok {
			seg = k
		}
		out = append(out, seg)
	}
	// /drives/{d}/root/... and /drive/root/... address the root item.
	for i := 0; i < len(out); i++ {
		isRoot := out[i] == "root" || strings.HasPrefix(out[i], "root"+pathRefSep)
		if isRoot && i > 0 && (out[i-1] == "drive" || (i > 1 && out[i-2] == "drives")) {
			out = append(out[:i], append([]string{"items"}, out[i:]...)...)
			i++
		}
	}
	return "/" + strings.Join(out, "/"), extra, nil
}

// foldPathRefs turns "X:/a/b:" path addressing into one segment
// "X~base64url(a/b)". The closing colon is optional at the end of the path.
func foldPathRefs(p string) (string, error) {
	i := strings.Index(p, ":/")
	if i < 0 {
		return p, nil
	}
	start := strings.LastIndex(p[:i], "/") + 1
	base := p[start:i]
	rest := p[i+2:]
	path, tail, closed := strings.Cut(rest, ":")
	if !closed {
		tail = ""
	}
	if path == "" {
		return "", fmt.Errorf("Invalid request: empty path after '%s:'.", base)
	}
	ref := base + pathRefSep + base64.RawURLEncoding.EncodeToString([]byte(path))
	return p[:start] + ref + tail, nil
}

// splitPathRef splits an item reference into its base (an id or "root")
// and the relative path it addresses ("" when none).
func splitPathRef(ref string) (base, rel string, err error) {
	base, enc, ok := strings.Cut(ref, pathRefSep)
	if !ok {
		return ref, "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", "", fmt.Errorf("malformed path reference")
	}
	return base, string(b), nil
}

func lower(s string) string { return strings.ToLower(s) }

func joinSelect(sel []string) string { return strings.Join(sel, ",") }

func splitSelect(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
