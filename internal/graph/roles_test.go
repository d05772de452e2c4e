package graph

import (
	"encoding/base64"
	"reflect"
	"testing"
)

func TestDecodeTokenInfo(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	tok := enc(`{"alg":"RS256"}`) + "." + enc(`{"tid":"t1","appid":"a1","app_displayname":"x","roles":["Mail.Read","User.Read.All"]}`) + ".sig"
	info, err := decodeTokenInfo(tok)
	if err != nil {
		t.Fatal(err)
	}
	want := &TokenInfo{TenantID: "t1", AppID: "a1", AppName: "x", Roles: []string{"Mail.Read", "User.Read.All"}}
	if !reflect.DeepEqual(info, want) {
		t.Fatalf("got %+v, want %+v", info, want)
	}
	for _, bad := range []string{"opaque", "a.!!!.c", enc("x") + "." + enc("not json") + ".c"} {
		if _, err := decodeTokenInfo(bad); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
}

func FuzzDecodeTokenInfo(f *testing.F) {
	f.Add("a.eyJyb2xlcyI6WyJ4Il19.c")
	f.Add("..")
	f.Fuzz(func(t *testing.T, tok string) {
		decodeTokenInfo(tok) // must not panic
	})
}
