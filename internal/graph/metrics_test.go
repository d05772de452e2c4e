package graph

import (
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetricsOnCallerRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	n := 0
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			graphError(w, 429, "TooManyRequests", "")
			return
		}
		writeJSON(w, 200, `{"id":"u1"}`)
	})
	c, _, _ := testClient(t, h, Options{Registerer: reg})
	if _, err := c.GetMessage(t.Context(), "u1", "m1", nil); err != nil {
		t.Fatal(err)
	}
	// A second Client (another tenant) shares the registry.
	c2, _, _ := testClient(t, h, Options{Registerer: reg})
	if _, err := c2.User(t.Context(), "u1", nil); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP sg365_graph_requests_total Graph HTTP requests by resource class and response status ("error" for transport failures).
# TYPE sg365_graph_requests_total counter
sg365_graph_requests_total{class="directory",status="200"} 1
sg365_graph_requests_total{class="mail",status="200"} 1
sg365_graph_requests_total{class="mail",status="429"} 1
# HELP sg365_graph_throttled_total Graph 429 and 503 responses by class.
# TYPE sg365_graph_throttled_total counter
sg365_graph_throttled_total{class="mail"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "sg365_graph_requests_total", "sg365_graph_throttled_total"); err != nil {
		t.Error(err)
	}
	if got := testutil.ToFloat64(c.m.retries.WithLabelValues("mail", "429")); got != 1 {
		t.Errorf("retries{mail,429} = %v", got)
	}
	if got := testutil.ToFloat64(c.m.bytes.WithLabelValues("mail", "down")); got != float64(len(`{"id":"u1"}`)) {
		t.Errorf("bytes down = %v", got)
	}
	s := c.Stats()
	if s.Requests != 2 || s.Retries != 1 || s.Throttled != 1 || s.Failed != 0 {
		t.Errorf("Stats = %+v", s)
	}
	if _, ok := s.Rates["outlook"]; !ok {
		t.Errorf("Stats.Rates = %v, want the outlook lane", s.Rates)
	}
}
