package dataguard

import (
	"encoding/json"
	"net/url"
	"testing"
)

func TestEscapeID(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{"AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A", "AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A"},
		{"01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K", "01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K"},
		{"AAMk/AG+I=", "AAMk%2FAG+I="},
		{"a%b", "a%25b"},
		{".state.json", "%2Estate.json"},
		{"a\\b\x01", "a%5Cb%01"},
		{"ü", "%C3%BC"},
		{"", "%"},
	} {
		got := escapeID(tc.id)
		if got != tc.want {
			t.Errorf("escapeID(%q) = %q, want %q", tc.id, got, tc.want)
		}
		if back, err := url.PathUnescape(got); tc.id != "" && (err != nil || back != tc.id) {
			t.Errorf("unescape(%q) = %q, %v", got, back, err)
		}
	}
}

// TestShardOfIsStable pins the shard function: earlier snapshots keep items
// where it put them, so it must never change.
func TestShardOfIsStable(t *testing.T) {
	for id, want := range map[string]string{
		"01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K": "25",
		"":                                   "c5",
		"a":                                  "2c",
	} {
		if got := shardOf(id); got != want || len(got) != 2 {
			t.Errorf("shardOf(%q) = %q, want %q", id, got, want)
		}
	}
	content, meta := DriveItemPaths("x/y")
	if content != "drive/"+shardOf("x/y")+"/x%2Fy" || meta != content+".meta.json" {
		t.Errorf("DriveItemPaths = %q, %q", content, meta)
	}
}

// TestMimeFingerprint: properties Outlook keeps beside the message do not
// change the fingerprint; anything that appears in the MIME does, and key
// order does not matter.
func TestMimeFingerprint(t *testing.T) {
	base := `{"id":"A","changeKey":"c1","@odata.etag":"W/\"c1\"","isRead":false,"subject":"Hi","importance":"normal",` +
		`"flag":{"flagStatus":"notFlagged"},"categories":[],"parentFolderId":"F1","lastModifiedDateTime":"2025-01-01T00:00:00Z"}`
	fp := func(s string) string {
		t.Helper()
		v, err := mimeFingerprint(json.RawMessage(s))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	want := fp(base)
	for name, s := range map[string]string{
		"read":     `{"id":"A","changeKey":"c2","isRead":true,"subject":"Hi","importance":"normal","flag":{"flagStatus":"notFlagged"},"categories":[],"parentFolderId":"F1"}`,
		"flag":     `{"importance":"normal","subject":"Hi","flag":{"flagStatus":"flagged"},"changeKey":"c3"}`,
		"category": `{"subject":"Hi","importance":"normal","categories":["Red"],"parentFolderId":"F2","id":"B"}`,
	} {
		if got := fp(s); got != want {
			t.Errorf("%s: fingerprint changed", name)
		}
	}
	for name, s := range map[string]string{
		"subject":    `{"subject":"Re: Hi","importance":"normal"}`,
		"importance": `{"subject":"Hi","importance":"high"}`,
	} {
		if got := fp(s); got == want {
			t.Errorf("%s: fingerprint unchanged", name)
		}
	}
}

func TestStripKeys(t *testing.T) {
	raw := json.RawMessage(`{"id":"1","name":"a.txt","@microsoft.graph.downloadUrl":"https://x/secret"}`)
	out, err := stripKeys(raw, downloadURLKeys)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil || m["name"] != "a.txt" || m["@microsoft.graph.downloadUrl"] != nil {
		t.Errorf("stripKeys = %s, %v", out, err)
	}
	same := json.RawMessage(`{"id":"1"}`)
	if out, _ := stripKeys(same, downloadURLKeys); string(out) != string(same) {
		t.Errorf("JSON without the keys was rewritten: %s", out)
	}
}
