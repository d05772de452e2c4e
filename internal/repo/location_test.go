package repo

import (
	"errors"
	"testing"
)

func TestParseURL(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		in      string
		want    Location
		wantErr error
	}{
		{in: "file:///var/backups/sg365", want: Location{Scheme: SchemeFile, Path: "/var/backups/sg365"}},
		{in: "file://localhost/srv/repo/", want: Location{Scheme: SchemeFile, Path: "/srv/repo"}},
		{in: "FILE:///srv/a/../b", want: Location{Scheme: SchemeFile, Path: "/srv/b"}},
		{in: "file:///srv/with%20space/d%C3%A9j%C3%A0", want: Location{Scheme: SchemeFile, Path: "/srv/with space/déjà"}},
		{in: "file://server/share", wantErr: ErrUnsupportedScheme},
		{in: "file:relative/path", wantErr: ErrUnsupportedScheme},
		{in: "file:///srv/repo?x=1", wantErr: ErrUnsupportedScheme},
		{in: "s3://bucket/prefix", wantErr: ErrUnsupportedScheme},
		{in: "azure://container/prefix", wantErr: ErrUnsupportedScheme},
		{in: "gcs://bucket", wantErr: ErrUnsupportedScheme},
		{in: "/plain/path", wantErr: ErrUnsupportedScheme},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseURL(tc.in)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("ParseURL(%q) error = %v, want %v", tc.in, err, tc.wantErr)
			}

			if got != tc.want {
				t.Errorf("ParseURL(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestLocationStringRoundTrips(t *testing.T) {
	t.Parallel()

	for _, in := range []string{"file:///srv/repo", "file:///srv/with%20space/d%C3%A9j%C3%A0", "file:///a/%E2%9C%85"} {
		loc, err := ParseURL(in)
		if err != nil {
			t.Fatalf("ParseURL(%q): %v", in, err)
		}

		again, err := ParseURL(loc.String())
		if err != nil || again != loc {
			t.Errorf("ParseURL(%q).String() = %q, which parses to %+v, %v", in, loc.String(), again, err)
		}
	}
}
