package limits

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkAdmit measures Admit+Done from parallel callers on the real
// clock, the way the emulator's handlers call it: "admitted" spreads requests
// over enough apps, tenants and mailboxes to stay within the default limits,
// "throttled" sends everything to one mailbox, drive and directory.
func BenchmarkAdmit(b *testing.B) {
	names := func(prefix string, n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = prefix + strconv.Itoa(i)
		}
		return s
	}
	apps, tenants, mailboxes := names("app", 64), names("tenant", 1_000), names("mailbox", 1_000)
	for _, bc := range []struct {
		name   string
		spread int
	}{{"admitted", 1_000_000}, {"throttled", 1}} {
		b.Run(bc.name, func(b *testing.B) {
			e, err := New(DefaultConfig(), time.Now)
			if err != nil {
				b.Fatal(err)
			}
			var seq, throttled atomic.Int64
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(seq.Add(1))
					k := i % bc.spread
					r := Request{App: apps[k%len(apps)], Tenant: tenants[k%len(tenants)],
						Resource: mailboxes[k%len(mailboxes)], RU: 1, TenantUsers: 600}
					switch i % 4 {
					case 0, 1:
						r.Class = ClassOutlook
					case 2:
						r.Class = ClassSharePoint
					case 3:
						r.Class = ClassIdentity
					}
					tk, d := e.Admit(r)
					if d != nil {
						throttled.Add(1)
					}
					tk.Done()
				}
			})
			b.ReportMetric(float64(throttled.Load())/float64(b.N), "throttled/op")
		})
	}
}

func BenchmarkFaultsDecide(b *testing.B) {
	f, err := NewFaults(mixed)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			f.Decide("GET", "/v1.0/users/a/messages")
		}
	})
}

func BenchmarkCountersRecord(b *testing.B) {
	c := NewCounters(time.Now)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Record(Sample{App: "app", Class: ClassOutlook, Endpoint: "messages.get", Status: 200, BytesOut: 2_048})
		}
	})
}
