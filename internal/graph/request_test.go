package graph

import (
	"net/http"
	"net/url"
	"testing"
)

func TestPathfEscapesSegments(t *testing.T) {
	for _, tc := range []struct {
		format string
		ids    []string
		want   string
	}{
		{"/users/%s/messages", []string{"adele@contoso.test"}, "/users/adele@contoso.test/messages"},
		{"/users/%s", []string{"ad_ext.test#EXT#@contoso.onmicrosoft.com"}, "/users/ad_ext.test%23EXT%23@contoso.onmicrosoft.com"},
		{"/users/%s/messages/%s", []string{"u", "AAMk/a+b=="}, "/users/u/messages/AAMk%2Fa+b=="},
		{"/drives/%s/items/%s", []string{"b!x", "a?b"}, "/drives/b%21x/items/a%3Fb"},
		{"/drives/%s/items/%s:/%s:/content", []string{"d", "root", "Q3 report 100%.xlsx"}, "/drives/d/items/root:/Q3%20report%20100%25.xlsx:/content"},
		{"/users/%s", []string{"../admin"}, "/users/..%2Fadmin"},
	} {
		if got := Pathf(tc.format, tc.ids...); got != tc.want {
			t.Errorf("Pathf(%q, %q) = %q, want %q", tc.format, tc.ids, got, tc.want)
		}
	}
}

func TestUserPath(t *testing.T) {
	for in, want := range map[string]string{
		"adele@contoso.test":      "/users/adele@contoso.test",
		"$adele@contoso.test":     "/users('$adele@contoso.test')",
		"$o'brien@contoso.test":   "/users('$o%27%27brien@contoso.test')",
		"0f1e2d3c-aaaa-bbbb-cccc": "/users/0f1e2d3c-aaaa-bbbb-cccc",
	} {
		if got := userPath(in); got != want {
			t.Errorf("userPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEncodeQuery(t *testing.T) {
	q := url.Values{
		"$select": {"id,displayName"},
		"$filter": {"startswith(displayName,'a b+c')"},
		"$top":    {"999"},
	}
	want := "$filter=startswith%28displayName,%27a%20b%2Bc%27%29&$select=id,displayName&$top=999"
	if got := encodeQuery(q); got != want {
		t.Errorf("encodeQuery = %q\nwant           %q", got, want)
	}
	// Whatever the spelling, the server must decode what was meant.
	back, err := url.ParseQuery(encodeQuery(q))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range q {
		if back.Get(k) != v[0] {
			t.Errorf("%s round-tripped to %q, want %q", k, back.Get(k), v[0])
		}
	}
}

func TestEscapedPathReachesServer(t *testing.T) {
	var got string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.EscapedPath()
		writeJSON(w, 200, `{"id":"x"}`)
	})
	c, _, _ := testClient(t, h, Options{})
	if _, err := c.GetMessage(t.Context(), "ad#EXT#@t.test", "AAMk/x=", nil); err != nil {
		t.Fatal(err)
	}
	if want := "/v1.0/users/ad%23EXT%23@t.test/messages/AAMk%2Fx="; got != want {
		t.Errorf("server saw %q, want %q", got, want)
	}
}

func FuzzPathf(f *testing.F) {
	for _, s := range []string{"a", "a/b", "#EXT#", "?x=1", "%2F", "..", "$value", "日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		p := Pathf("/users/%s/messages", id)
		u, err := url.Parse("https://graph.test/v1.0" + p)
		if err != nil {
			t.Fatalf("Pathf(%q) = %q does not parse: %v", id, p, err)
		}
		if u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("id %q leaked into the query or fragment: %q", id, p)
		}
		want := "/v1.0/users/" + id + "/messages"
		if u.Path != want {
			t.Fatalf("id %q changed the path: %q, want %q", id, u.Path, want)
		}
	})
}
