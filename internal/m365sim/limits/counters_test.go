package limits

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestCountersSnapshot(t *testing.T) {
	clk := newFakeClock()
	c := NewCounters(clk.Now)
	start := clk.Now()
	for _, s := range []Sample{
		{App: "a", Class: ClassOutlook, Endpoint: "messages.delta", Status: 200, BytesOut: 1_000},
		{App: "a", Class: ClassOutlook, Endpoint: "messages.delta", Status: 429},
		{App: "a", Class: ClassOutlook, Endpoint: "messages.delta", Status: 200, BytesOut: 500},
		{App: "a", Class: ClassSharePoint, Endpoint: "drive.upload", Status: 201, BytesIn: 4_096},
		{App: "a", Endpoint: "users.list", Status: 503},
		{App: "0", Class: ClassIdentity, Endpoint: "users.list", Status: 429},
	} {
		c.Record(s)
	}
	clk.Advance(time.Minute)
	st := c.Snapshot()
	if st.Requests != 6 || st.Throttled != 2 || st.BytesIn != 4_096 || st.BytesOut != 1_500 {
		t.Errorf("totals = %d req, %d throttled, %d in, %d out", st.Requests, st.Throttled, st.BytesIn, st.BytesOut)
	}
	if st.Status[200] != 2 || st.Status[429] != 2 || st.Status[201] != 1 || st.Status[503] != 1 {
		t.Errorf("status = %v", st.Status)
	}
	if !st.Since.Equal(start) || !st.At.Equal(start.Add(time.Minute)) {
		t.Errorf("since %v at %v", st.Since, st.At)
	}
	var order []string
	for _, e := range st.Endpoints {
		order = append(order, fmt.Sprintf("%s/%s/%s", e.App, e.Class, e.Endpoint))
	}
	want := []string{"0/identity/users.list", "a/other/users.list", "a/outlook/messages.delta", "a/sharepoint/drive.upload"}
	if fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("endpoints = %v, want %v", order, want)
	}
	md := st.Endpoints[2]
	if md.Requests != 3 || md.Throttled != 1 || md.BytesOut != 1_500 || md.Status[200] != 2 {
		t.Errorf("messages.delta = %+v", md)
	}

	c.Reset()
	if st := c.Snapshot(); st.Requests != 0 || len(st.Endpoints) != 0 || !st.Since.Equal(start.Add(time.Minute)) {
		t.Errorf("after Reset: %+v", st)
	}
}

func TestStatsJSONFieldNames(t *testing.T) {
	c := NewCounters(nil)
	c.Record(Sample{App: "a", Class: ClassOutlook, Endpoint: "e", Status: 200, BytesIn: 1, BytesOut: 2})
	b, err := json.Marshal(c.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"since", "at", "requests", "throttled", "bytesIn", "bytesOut", "status", "endpoints"} {
		if _, ok := got[k]; !ok {
			t.Errorf("Stats JSON lacks %q: %s", k, b)
		}
	}
	ep := got["endpoints"].([]any)[0].(map[string]any)
	for _, k := range []string{"app", "class", "endpoint", "requests", "throttled", "bytesIn", "bytesOut", "status"} {
		if _, ok := ep[k]; !ok {
			t.Errorf("EndpointStats JSON lacks %q: %s", k, b)
		}
	}
	if ep["status"].(map[string]any)["200"] != 1.0 {
		t.Errorf("status JSON = %v", ep["status"])
	}
}

func TestCountersConcurrentRecordAndReset(t *testing.T) {
	c := NewCounters(time.Now)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1_000 {
				c.Record(Sample{App: "a", Class: ClassOutlook, Endpoint: fmt.Sprint(i % 7), Status: 200 + g})
			}
		})
	}
	wg.Wait()
	if st := c.Snapshot(); st.Requests != 8_000 {
		t.Fatalf("requests = %d, want 8,000", st.Requests)
	}
	// Resets racing with records lose nothing recorded after the last one.
	for range 4 {
		wg.Go(func() {
			for range 500 {
				c.Record(Sample{App: "b", Endpoint: "x", Status: 200})
			}
		})
	}
	wg.Go(func() {
		for range 50 {
			c.Reset()
			_ = c.Snapshot()
		}
	})
	wg.Wait()
	c.Reset()
	c.Record(Sample{App: "b", Endpoint: "x", Status: 200})
	if st := c.Snapshot(); st.Requests != 1 {
		t.Fatalf("after Reset and one Record: %d", st.Requests)
	}
}
