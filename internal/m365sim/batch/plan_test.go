package batch

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
)

// mustParse builds a batch from "id:dep,dep id2 id3:id" shorthand.
func mustParse(t testing.TB, spec string) *Batch {
	t.Helper()
	var parts []string
	for _, item := range strings.Fields(spec) {
		id, deps, _ := strings.Cut(item, ":")
		dep := ""
		if deps != "" {
			dep = `,"dependsOn":["` + strings.Join(strings.Split(deps, ","), `","`) + `"]`
		}
		parts = append(parts, fmt.Sprintf(`{"id":%q,"method":"GET","url":"/x/%s"%s}`, id, id, dep))
	}
	b, err := Parse(strings.NewReader(`{"requests":[` + strings.Join(parts, ",") + `]}`))
	if err != nil {
		t.Fatalf("Parse(%q): %v", spec, err)
	}
	return b
}

func ids(rs []*Request) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestOrder(t *testing.T) {
	for _, tc := range []struct {
		spec  string
		waves [][]string
		shape Shape
	}{
		{"a b c", [][]string{{"a", "b", "c"}}, Parallel},
		{"a", [][]string{{"a"}}, Parallel},
		// The docs' sequencing example: 1, then 2, then 4, then 3.
		{"1 2:1 4:2 3:4", [][]string{{"1"}, {"2"}, {"4"}, {"3"}}, Sequential},
		{"c:b b:a a", [][]string{{"a"}, {"b"}, {"c"}}, Sequential},
		{"a b:a c:a d:b,c e", [][]string{{"a", "e"}, {"b", "c"}, {"d"}}, Mixed},
		{"x:y y", [][]string{{"y"}, {"x"}}, Sequential},
		{"a b:a,a,A", [][]string{{"a"}, {"b"}}, Sequential}, // duplicate references collapse
	} {
		t.Run(tc.spec, func(t *testing.T) {
			b := mustParse(t, tc.spec)
			waves := b.Order()
			var got [][]string
			for _, w := range waves {
				got = append(got, ids(w))
			}
			if !slices.EqualFunc(got, tc.waves, slices.Equal) {
				t.Fatalf("Order = %v, want %v", got, tc.waves)
			}
			if s := b.Shape(); s != tc.shape {
				t.Errorf("Shape = %v, want %v", s, tc.shape)
			}
			waves[0][0] = nil // the caller's copy must not alias the batch's plan
			if b.Order()[0][0] == nil {
				t.Error("Order returned the batch's own slices")
			}
		})
	}
}

func TestDependents(t *testing.T) {
	b := mustParse(t, "a b:a c:b d e:d f:c,e g")
	for _, tc := range []struct {
		id   string
		want []string
	}{
		{"a", []string{"b", "c", "f"}},
		{"B", []string{"c", "f"}},
		{"d", []string{"e", "f"}},
		{"f", nil},
		{"g", nil},
		{"missing", nil},
	} {
		if got := ids(b.Dependents(tc.id)); !slices.Equal(got, tc.want) {
			t.Errorf("Dependents(%s) = %v, want %v", tc.id, got, tc.want)
		}
	}
}

func TestRun(t *testing.T) {
	b := mustParse(t, "a b:a c:b d e:d f")
	var mu sync.Mutex
	var ran []string
	do := func(_ context.Context, r *Request) Response {
		mu.Lock()
		ran = append(ran, r.ID)
		mu.Unlock()
		status := http.StatusOK
		if r.ID == "b" || r.ID == "d" {
			status = http.StatusTooManyRequests
		}
		return Response{ID: "ignored", Status: status}
	}
	got := b.Run(context.Background(), 2, do)
	want := []struct {
		id     string
		status int
	}{{"a", 200}, {"b", 429}, {"c", 424}, {"d", 429}, {"e", 424}, {"f", 200}}
	if len(got) != len(want) {
		t.Fatalf("Run returned %d responses, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].ID != w.id || got[i].Status != w.status {
			t.Errorf("response %d = %s %d, want %s %d", i, got[i].ID, got[i].Status, w.id, w.status)
		}
	}
	slices.Sort(ran)
	if !slices.Equal(ran, []string{"a", "b", "d", "f"}) {
		t.Errorf("ran %v; requests behind a failed dependency must not run", ran)
	}
	if !strings.Contains(string(got[2].Body), "'b'") || got[2].Headers["Content-Type"] != "application/json" {
		t.Errorf("424 body = %s, headers %v", got[2].Body, got[2].Headers)
	}
}

func TestRunLimit(t *testing.T) {
	b := mustParse(t, "a b c d e f g h")
	started := make(chan string, 8)
	release := make(chan struct{})
	var g errgroup.Group
	g.Go(func() error {
		b.Run(context.Background(), 2, func(_ context.Context, r *Request) Response {
			started <- r.ID
			<-release
			return Response{Status: 204}
		})
		return nil
	})
	<-started
	<-started
	select {
	case id := <-started: // a broken limit shows up at once
		t.Errorf("request %s started while 2 were running with limit 2", id)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	_ = g.Wait()
	if n := len(started); n != 6 && !t.Failed() {
		t.Errorf("%d more requests ran after the release, want 6", n)
	}
}

func TestSucceeded(t *testing.T) {
	for status, want := range map[int]bool{200: true, 201: true, 204: true, 299: true, 199: false, 302: false, 404: false, 429: false, 500: false} {
		if Succeeded(status) != want {
			t.Errorf("Succeeded(%d) = %v", status, !want)
		}
	}
}
