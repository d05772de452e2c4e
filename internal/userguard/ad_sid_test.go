package userguard

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestDecodeSID(t *testing.T) {
	for _, s := range []string{"S-1-5-18", "S-1-5-32-544", "S-1-5-21-4173276354-1308125963-1656884247-512", "S-1-1-0"} {
		got, n, err := decodeSID(encodeSID(s))
		if err != nil || got != s || n != len(encodeSID(s)) {
			t.Errorf("%s: got %q %d %v", s, got, n, err)
		}
	}
	for _, b := range [][]byte{nil, {1, 2, 0, 0, 0, 0, 0, 5}, {2, 0, 0, 0, 0, 0, 0, 5}} {
		if _, _, err := decodeSID(b); !errors.Is(err, errMalformed) {
			t.Errorf("%v: %v, want errMalformed", b, err)
		}
	}
	if r := sidRID("S-1-5-21-1-2-3-1105"); r != 1105 {
		t.Errorf("rid %d", r)
	}
}

func TestAllowedACEs(t *testing.T) {
	sd := rbcdDescriptor("S-1-5-21-1-2-3-1121")
	aces, err := allowedACEs(sd)
	if err != nil || len(aces) != 1 || aces[0].SID != "S-1-5-21-1-2-3-1121" || aces[0].Mask != rightFullControl {
		t.Fatalf("%+v %v", aces, err)
	}
	if rr := replicationRights(aces); len(rr) != 1 || !rr[0].FullControl || !rr[0].GetChangesAll {
		t.Errorf("full control ACE: %+v", rr)
	}
	for i := range len(sd) - 1 {
		if _, err := allowedACEs(sd[:i]); err == nil && i >= 20 {
			// A truncated descriptor must fail, never panic; the header
			// alone (DACL offset beyond the end) fails too.
			t.Errorf("truncated at %d: no error", i)
		}
	}
}

func TestReplicationRights(t *testing.T) {
	aces := []ace{
		{Type: aceAccessAllowedObject, Mask: rightControlAccess, ObjectType: guidGetChanges, SID: "S-1-5-21-1-2-3-1120"},
		{Type: aceAccessAllowedObject, Mask: rightControlAccess, ObjectType: guidGetChangesAll, SID: "S-1-5-21-1-2-3-1120"},
		{Type: aceAccessAllowedObject, Mask: rightControlAccess, ObjectType: guidGetChanges, SID: "S-1-5-9"},
		{Type: aceAccessAllowed, Mask: 0x20094, SID: "S-1-5-11"}, // read only
		{Type: aceAccessAllowed, Mask: rightControlAccess, SID: "S-1-5-21-1-2-3-1130"},
	}
	got := replicationRights(aces)
	want := []ADRight{{SID: "S-1-5-21-1-2-3-1120", GetChanges: true, GetChangesAll: true},
		{SID: "S-1-5-9", GetChanges: true}, {SID: "S-1-5-21-1-2-3-1130", GetChanges: true, GetChangesAll: true, FullControl: true}}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestADTimes(t *testing.T) {
	if got := parseFileTime("131000000000000000"); got == nil || got.Format(time.DateOnly) != "2016-02-15" {
		t.Errorf("filetime: %v", got)
	}
	for _, never := range []string{"0", "9223372036854775807", "", "x"} {
		if parseFileTime(never) != nil {
			t.Errorf("%q is not never", never)
		}
	}
	if got := parseGeneralizedTime("20261127075234.0Z"); got == nil || !got.Equal(time.Date(2026, 11, 27, 7, 52, 34, 0, time.UTC)) {
		t.Errorf("generalized: %v", got)
	}
	for s, want := range map[string]int{"-36288000000000": 60480, "-18000000000": 30, "-9223372036854775808": -1, "0": 0} {
		if got := intervalMinutes(s); got != want {
			t.Errorf("interval %s: %d, want %d", s, got, want)
		}
	}
	if dnsNameOf("OU=x,DC=corp,DC=example,DC=com") != "corp.example.com" {
		t.Error("dnsNameOf")
	}
}
