//go:build linux

package userguard

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/posture"
	"github.com/safeguard365/safeguard365/internal/secret"
)

// sambaConfig is how the product would reach the fixture: LDAPS, the
// fixture CA and the DC's name, no skipped verification. A page size of 5
// makes every listing span several pages.
func (s *sambaDC) config(now time.Time) ADConfig {
	return ADConfig{URL: s.LDAPS, BindUser: s.BindUser, BindPassword: secret.New(s.Password), CAFile: s.CAFile,
		TLSServerName: sambaHost, PageSize: 5, Now: func() time.Time { return now }}
}

// sambaWant is what the AD pack must find on the seeded DC, evaluated 200
// days after seeding: the planted weaknesses, and what a fresh Samba domain
// gets wrong by default (Administrator unprotected, no LAPS, 7-character
// passwords without lockout, quota 10, functional level 2008 R2, no
// Recycle Bin, and a krbtgt key that is now 200 days old).
var sambaWant = map[string]ruleWant{
	"SG.AD.1":  {posture.StatusFail, []string{"krbtgt"}},
	"SG.AD.2":  {posture.StatusFail, []string{"bob"}},
	"SG.AD.3":  {posture.StatusFail, []string{"svc_admin", "svc_sql"}},
	"SG.AD.4":  {posture.StatusFail, []string{"APP01$"}},
	"SG.AD.5":  {posture.StatusFail, []string{"APP01$", "WS01$"}},
	"SG.AD.6":  {posture.StatusFail, []string{"Administrator", "svc_admin"}},
	"SG.AD.7":  {posture.StatusWarning, []string{"Administrator", "svc_admin"}},
	"SG.AD.8":  {posture.StatusPass, nil},
	"SG.AD.9":  {posture.StatusPass, nil},
	"SG.AD.10": {posture.StatusWarning, []string{"orphan"}},
	"SG.AD.11": {posture.StatusFail, []string{"carol"}},
	"SG.AD.12": {posture.StatusFail, []string{"olduser"}},
	"SG.AD.13": {posture.StatusFail, []string{"alice"}},
	"SG.AD.14": {posture.StatusFail, []string{"test.local"}},
	"SG.AD.15": {posture.StatusFail, []string{"test.local"}},
	"SG.AD.16": {posture.StatusFail, []string{"test.local"}},
	"SG.AD.17": {posture.StatusPass, nil},
	"SG.AD.18": {posture.StatusPass, nil},
	"SG.AD.19": {posture.StatusFail, []string{"test.local"}},
	"SG.AD.20": {posture.StatusFail, []string{"syncer"}},
	"SG.AD.21": {posture.StatusPass, nil},
	"SG.AD.22": {posture.StatusWarning, []string{"test.local"}},
}

func TestSambaPlantedWeaknesses(t *testing.T) {
	s := requireSamba(t)
	t.Logf("samba fixture: %s", strings.Join(s.Timing, ", "))
	t0 := time.Now()
	inv, ad, err := CollectAD(t.Context(), s.config(s.Seeded.Add(200*24*time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("collected %d users, %d computers, %d groups in %v", len(ad.Users), len(ad.Computers), len(ad.Groups), time.Since(t0).Round(time.Millisecond))
	if ad.Domain.DNSName != "test.local" || !strings.HasPrefix(ad.Domain.SID, "S-1-5-21-") || ad.Domain.MachineAccountQuota != 10 {
		t.Errorf("domain: %+v", ad.Domain)
	}
	rep := evaluateAD(t, inv)
	checkNames(t, rep, sambaWant)
	for _, res := range rep.Results {
		for _, e := range res.Evidence {
			// Clean objects must never be evidence.
			if e.DisplayName == "dave" || e.DisplayName == "CLEAN01$" {
				t.Errorf("%s: false positive on %s: %s", res.Rule.ID, e.DisplayName, e.Detail)
			}
			if e.Type == "user" && !strings.HasSuffix(e.ID, ",CN=Users,DC=test,DC=local") {
				t.Errorf("%s: evidence id %q is not the DN", res.Rule.ID, e.ID)
			}
		}
	}
	// Details the rules rely on.
	ev := func(rule, name string) string {
		res, _ := rep.Result(rule)
		for _, e := range res.Evidence {
			if e.DisplayName == name {
				return e.Detail
			}
		}
		return ""
	}
	for _, c := range []struct{ rule, name, want string }{
		{"SG.AD.3", "svc_admin", "privileged: member of Administrators, Domain Admins"},
		{"SG.AD.5", "APP01$", "resource-based delegation allows WS01$"},
		{"SG.AD.5", "WS01$", "constrained delegation to cifs/app01.test.local; protocol transition"},
		{"SG.AD.13", "alice", plantedSIDHistory},
		{"SG.AD.16", "test.local", "is 10"},
	} {
		if d := ev(c.rule, c.name); !strings.Contains(d, c.want) {
			t.Errorf("%s %s: detail %q lacks %q", c.rule, c.name, d, c.want)
		}
	}
	score := ScoreAD(rep.Results)
	t.Logf("score %d (%s): %+v", score.Global, score.Rating, score.Categories)
	if score.Global < 50 || len(score.Unknown) > 0 {
		t.Errorf("score %+v", score)
	}
}

// TestSambaClock: evaluated at seeding time nothing is old yet (olduser's
// password and creation are recent), so the age rules pass; the injected
// clock is what moves them.
func TestSambaClock(t *testing.T) {
	s := requireSamba(t)
	inv, _, err := CollectAD(t.Context(), s.config(s.Seeded.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	rep := evaluateAD(t, inv)
	for id, want := range map[string][]string{"SG.AD.1": nil, "SG.AD.12": nil} {
		res, _ := rep.Result(id)
		if got := names(res); !slices.Equal(got, want) {
			t.Errorf("%s at seeding time: %v, want %v", id, got, want)
		}
	}
}

func TestSambaConnections(t *testing.T) {
	s := requireSamba(t)
	base := s.config(time.Now())
	for _, tc := range []struct {
		name string
		edit func(*ADConfig)
		want error // nil: success
		msg  string
	}{
		{"ldaps", func(*ADConfig) {}, nil, ""},
		{"starttls", func(c *ADConfig) { c.URL, c.StartTLS = s.LDAP, true }, nil, ""},
		{"explicit base dn", func(c *ADConfig) { c.BaseDN = sambaBaseDN }, nil, ""},
		{"plain ldap refused", func(c *ADConfig) { c.URL = s.LDAP }, ErrADConfig, "clear text"},
		{"wrong password", func(c *ADConfig) { c.BindPassword = secret.New("nope") }, ErrADAuth, ""},
		{"unknown CA", func(c *ADConfig) { c.CAFile = "" }, nil, "certificate"},
		{"wrong server name", func(c *ADConfig) { c.TLSServerName = "other.test.local" }, nil, "certificate"},
		{"insecure skip verify", func(c *ADConfig) { c.CAFile, c.TLSServerName, c.InsecureSkipVerify = "", "", true }, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.edit(&cfg)
			_, ad, err := CollectAD(t.Context(), cfg)
			switch {
			case tc.want == nil && tc.msg == "":
				if err != nil {
					t.Fatal(err)
				}
				if len(ad.Users) < 10 || len(ad.Groups) == 0 {
					t.Errorf("%d users, %d groups", len(ad.Users), len(ad.Groups))
				}
			case err == nil:
				t.Fatal("no error")
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Errorf("error %v, want %v", err, tc.want)
			case !strings.Contains(err.Error(), tc.msg):
				t.Errorf("error %v lacks %q", err, tc.msg)
			}
			if err != nil && strings.Contains(err.Error(), s.Password) {
				t.Errorf("error reveals the password: %v", err)
			}
		})
	}
}

func TestSambaCancel(t *testing.T) {
	s := requireSamba(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := CollectAD(ctx, s.config(time.Now())); !errors.Is(err, context.Canceled) {
		t.Fatalf("collect with a cancelled context: %v", err)
	}
}
