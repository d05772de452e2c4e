package main

import (
	"encoding/json"
	"runtime/debug"
	"strings"
	"testing"
)

func TestRunVersionText(t *testing.T) {
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"release", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, true, "sg365 v1.2.3 go"},
		{"vcs", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}}}, true,
			"sg365 (devel) go"},
		{"no-build-info", nil, false, "sg365 unknown go"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := readVersion
			readVersion = func() (*debug.BuildInfo, bool) { return tc.bi, tc.ok }
			t.Cleanup(func() { readVersion = old })
			g, stdout, _ := testGlobals(t, false)
			if err := runVersion(t.Context(), VersionOptions{}, g); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(stdout.String(), tc.want) {
				t.Errorf("output %q does not start with %q", stdout.String(), tc.want)
			}
			if tc.name == "vcs" && !strings.Contains(stdout.String(), "revision abc123 (modified)") {
				t.Errorf("output %q lacks the revision", stdout.String())
			}
		})
	}
}

func TestVersionJSON(t *testing.T) {
	g, stdout, _ := testGlobals(t, true)
	if err := runVersion(t.Context(), VersionOptions{}, g); err != nil {
		t.Fatal(err)
	}
	var v versionInfo
	if err := json.Unmarshal([]byte(stdout.String()), &v); err != nil {
		t.Fatalf("output %q: %v", stdout.String(), err)
	}
	if v.MessageType != "version" || v.GoVersion == "" || v.Version == "" {
		t.Errorf("version = %+v", v)
	}
}
