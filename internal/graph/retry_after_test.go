package graph

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"120", 120 * time.Second, true},
		{" 7 ", 7 * time.Second, true},
		{"2.128", 2128 * time.Millisecond, true}, // the throttling doc's sample
		{"0", 0, true},
		{"-3", 0, true},
		{"0.0005", 500 * time.Microsecond, true},
		{"99999999999", maxRetryAfter, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{now.Add(48 * time.Hour).Format(http.TimeFormat), maxRetryAfter, true},
		{"Monday, 04-Mar-24 10:00:30 GMT", 30 * time.Second, true}, // RFC 850 form
		{"", 0, false},
		{"soon", 0, false},
		{"NaN", 0, false},
		{"+Inf", 0, false},
		{"12s", 0, false},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		if ok != tc.wantOK || got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"1", "2.128", "Wed, 21 Oct 2015 07:28:00 GMT", "-1", "1e9", "0x10", ""} {
		f.Add(s)
	}
	now := time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseRetryAfter(s, now)
		if d < 0 || d > maxRetryAfter {
			t.Fatalf("parseRetryAfter(%q) = %v outside [0, %v]", s, d, maxRetryAfter)
		}
		if !ok && d != 0 {
			t.Fatalf("parseRetryAfter(%q) = %v with ok=false", s, d)
		}
		if n, err := strconv.Atoi(s); err == nil && n >= 0 && n < 3600 {
			if !ok || d != time.Duration(n)*time.Second {
				t.Fatalf("parseRetryAfter(%q) = %v, %v; want %ds", s, d, ok, n)
			}
		}
	})
}
