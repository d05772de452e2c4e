package userguard

import (
	"slices"
	"testing"

	"github.com/safeguard365/safeguard365/internal/posture"
)

func res(id string, st posture.Status, items int) posture.Result {
	r := posture.Result{Rule: &posture.Rule{ID: id}, Status: st}
	for range items {
		r.Evidence = append(r.Evidence, posture.Evidence{Type: "user", ID: "x"})
	}
	return r
}

func TestScoreAD(t *testing.T) {
	for _, tc := range []struct {
		name    string
		results []posture.Result
		global  int
		rating  string
		cats    [4]int // stale, privileged, trusts, anomalies
		unknown []string
	}{
		{"nothing", nil, 0, "low", [4]int{}, nil},
		{"all pass", []posture.Result{res("SG.AD.1", posture.StatusPass, 0), res("SG.AD.20", posture.StatusPass, 1)}, 0, "low", [4]int{}, nil},
		{"krbtgt only", []posture.Result{res("SG.AD.1", posture.StatusFail, 1)}, 21, "moderate", [4]int{0, 0, 0, 30}, nil},
		// (6*30 + 4*30/4)/10 = 21: worst 30, mean 7.5
		{"per item up to max", []posture.Result{res("SG.AD.12", posture.StatusFail, 50)}, 21, "moderate", [4]int{30, 0, 0, 0}, nil},
		{"per item", []posture.Result{res("SG.AD.2", posture.StatusFail, 3)}, 18, "low", [4]int{0, 0, 0, 25}, nil},
		{"warning counts", []posture.Result{res("SG.AD.22", posture.StatusWarning, 1)}, 4, "low", [4]int{0, 0, 0, 5}, nil},
		{"na and error", []posture.Result{res("SG.AD.22", posture.StatusNA, 0), res("SG.AD.4", posture.StatusError, 0)}, 0, "low", [4]int{}, []string{"SG.AD.4"}},
		{"category cap", []posture.Result{res("SG.AD.20", posture.StatusFail, 4), res("SG.AD.3", posture.StatusFail, 2), res("SG.AD.6", posture.StatusFail, 1)},
			70, "high", [4]int{0, 100, 0, 0}, nil},
		// privileged 80 + 20 + 15 = 115, capped at 100; 0.6*100 + 0.4*(100/4) = 70
		{"everything", []posture.Result{res("SG.AD.20", posture.StatusFail, 9), res("SG.AD.4", posture.StatusFail, 9), res("SG.AD.21", posture.StatusFail, 9),
			res("SG.AD.13", posture.StatusFail, 9), res("SG.AD.1", posture.StatusFail, 1), res("SG.AD.2", posture.StatusFail, 9), res("SG.AD.15", posture.StatusFail, 2),
			res("SG.AD.11", posture.StatusFail, 9), res("SG.AD.12", posture.StatusFail, 30), res("SG.AD.17", posture.StatusFail, 1), res("SG.AD.19", posture.StatusFail, 9),
			res("SG.AD.3", posture.StatusFail, 9)}, 99, "critical", [4]int{100, 100, 100, 90}, nil},
		// anomalies 30 + 40 + 20 = 90; 0.6*100 + 0.4*(390/4) = 99
		{"other packs ignored", []posture.Result{res("MS.AAD.1.1v1", posture.StatusFail, 3)}, 0, "low", [4]int{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ScoreAD(tc.results)
			var cats [4]int
			for i, c := range s.Categories {
				if c.Category != ADCategories[i] {
					t.Fatalf("category %d is %s", i, c.Category)
				}
				cats[i] = c.Score
			}
			if s.Global != tc.global || s.Rating != tc.rating || cats != tc.cats || !slices.Equal(s.Unknown, tc.unknown) {
				t.Errorf("got global %d %s cats %v unknown %v, want %d %s %v %v", s.Global, s.Rating, cats, s.Unknown, tc.global, tc.rating, tc.cats, tc.unknown)
			}
		})
	}
}

// TestADPointsCoverEveryRule: each AD rule has scoring weights.
func TestADPointsCoverEveryRule(t *testing.T) {
	for _, r := range testADEngine(t).Rules() {
		p, ok := adPoints[r.ID]
		if !ok || p.Base <= 0 || p.Max < p.Base || !slices.Contains(ADCategories, p.Category) {
			t.Errorf("%s: points %+v", r.ID, p)
		}
	}
	if len(adPoints) != 22 {
		t.Errorf("%d scored rules, want 22", len(adPoints))
	}
}
