package catalog

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		berlin = time.FixedZone("CET", 3600)
	}
	for _, tc := range []struct {
		in   string
		want string // RFC 3339 in UTC; "" for an error
	}{
		{"2025-03-14", "2025-03-13T23:00:00Z"},
		{" 2025-03-14T09:30 ", "2025-03-14T08:30:00Z"},
		{"2025-03-14T09:30:15", "2025-03-14T08:30:15Z"},
		{"2025-03-14T09:30:00Z", "2025-03-14T09:30:00Z"},
		{"2025-03-14T09:30:00+02:00", "2025-03-14T07:30:00Z"},
		{"2025-03-14T09:30:00.5Z", "2025-03-14T09:30:00.5Z"},
		{"14.03.2025", ""}, {"2025-13-01", ""}, {"yesterday", ""}, {"", ""}, {"2025-02-30", ""},
	} {
		got, err := ParseDate(tc.in, berlin)
		switch {
		case tc.want == "" && !errors.Is(err, ErrBadQuery):
			t.Errorf("ParseDate(%q) = %v, %v; want ErrBadQuery", tc.in, got, err)
		case tc.want != "" && (err != nil || got.UTC().Format(time.RFC3339Nano) != tc.want):
			t.Errorf("ParseDate(%q) = %v, %v; want %s", tc.in, got.UTC(), err, tc.want)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2025-03-14", "2025-03-14T09:30", "2025-03-14T09:30:00Z", "2025-03-14T09:30:00-07:00", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s, time.UTC)
		if err != nil {
			if !errors.Is(err, ErrBadQuery) {
				t.Fatalf("ParseDate(%q): %v does not wrap ErrBadQuery", s, err)
			}
			return
		}
		// What it accepts it prints in a form it accepts again, same instant.
		again, err := ParseDate(got.Format(time.RFC3339Nano), time.UTC)
		if err != nil || !again.Equal(got) {
			t.Fatalf("ParseDate(%q) = %v; reparsing %q gives %v, %v", s, got, got.Format(time.RFC3339Nano), again, err)
		}
	})
}

// FuzzMatchExpr checks that any text given to --subject, --name, --from or
// --to either is refused as a bad query or makes a MATCH expression SQLite
// accepts, and that a subject matches itself.
func FuzzMatchExpr(f *testing.F) {
	for _, s := range []string{"budget", `"quoted" AND OR NOT`, "a*b", "adele@contoso.com", "NEAR(a b)", "über Straße",
		"日本語の件名", "😀 party", "col:umn", "-x", "^start", "{name}: x", "'single'", "AND", "\x00\xff"} {
		f.Add(s)
	}
	c := openCatalog(f, "")
	ctx := f.Context()
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		f.Fatal(err)
	}
	defer tx.Rollback()
	f.Fuzz(func(t *testing.T, s string) {
		for _, q := range []Query{{Subject: s}, {Name: s}, {From: s}, {To: s}} {
			expr, err := q.matchExpr()
			if err != nil {
				if !errors.Is(err, ErrBadQuery) {
					t.Fatalf("%+v: %v does not wrap ErrBadQuery", q, err)
				}
				continue
			}
			if expr == "" {
				if s != "" {
					t.Fatalf("%+v: no expression", q)
				}
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM items_fts`); err != nil {
				t.Fatal(err)
			}
			// Stored text is valid UTF-8: it comes from JSON.
			stored := strings.ToValidUTF8(s, "\uFFFD")
			if _, err := tx.ExecContext(ctx, `INSERT INTO items_fts (rowid, name, sender, recipients) VALUES (1, ?1, ?1, ?1)`, stored); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM items_fts WHERE items_fts MATCH ?`, expr).Scan(&n); err != nil {
				t.Fatalf("%+v: MATCH %q: %v", q, expr, err)
			}
			if n != 1 {
				t.Fatalf("%+v: MATCH %q does not find the text itself", q, expr)
			}
		}
	})
}
