package m365sim

import (
	"testing"
)

func TestNormalizePath(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		query    string
	}{
		{"/users/a@b.c/mailfolders('AQMk')/messages/delta", "/users/a@b.c/mailFolders/AQMk/messages/delta", ""},
		{"/Users('u1')/MESSAGES/x/$VALUE", "/users/u1/messages/x/$value", ""},
		{"/drives/d1/root/delta(token='abc')", "/drives/d1/items/root/delta", "token=abc"},
		{"/drives/d1/root/delta()", "/drives/d1/items/root/delta", ""},
		{"/users/u/drive/root/children", "/users/u/drive/items/root/children", ""},
		{"/drives/d1/root:/a/b c.txt:/content", "/drives/d1/items/root~YS9iIGMudHh0/content", ""},
		{"/drives/d1/items/P1:/new.txt:/createUploadSession", "/drives/d1/items/P1~bmV3LnR4dA/createUploadSession", ""},
		{"/drives/d1/root:/folder", "/drives/d1/items/root~Zm9sZGVy", ""},
	} {
		got, q, err := normalizePath(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.in, got, tc.want)
		}
		if q.Encode() != tc.query {
			t.Errorf("%s: query %q, want %q", tc.in, q.Encode(), tc.query)
		}
	}
	if _, _, err := normalizePath("/drives/d/root:/:/content"); err == nil {
		t.Error("empty path ref accepted")
	}
}

func TestSplitPathRef(t *testing.T) {
	p, _, _ := normalizePath("/drives/d1/root:/dir/ünï cødé ✈.txt:/content")
	ref := p[len("/drives/d1/items/") : len(p)-len("/content")]
	base, rel, err := splitPathRef(ref)
	if err != nil || base != "root" || rel != "dir/ünï cødé ✈.txt" {
		t.Fatalf("splitPathRef(%q) = %q, %q, %v", ref, base, rel, err)
	}
}

func FuzzNormalizePath(f *testing.F) {
	for _, s := range []string{"/users/x/messages", "/drives/d/root:/a:/content", "/a('b')/c(d)/delta(token='t')", "/:/", "/x:/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		out, _, err := normalizePath(p)
		if err != nil {
			return
		}
		if len(out) == 0 || out[0] != '/' {
			t.Fatalf("normalizePath(%q) = %q: not absolute", p, out)
		}
	})
}
