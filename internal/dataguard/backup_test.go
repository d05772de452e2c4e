package dataguard

import (
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/simclient"
)

// TestBackupFull backs up a whole tenant and compares every snapshot with
// the emulator's data: each message's MIME byte for byte, each file's
// content, and the JSON of messages, folders and drive items.
func TestBackupFull(t *testing.T) {
	e := newEnv(t, smallTenant(21, 3), m365sim.Options{})
	rep := &countingReporter{}
	sum := e.mustBackup(BackupOptions{RunID: "run-1", Reporter: rep})
	if _, err := json.Marshal(sum); err != nil {
		t.Fatalf("summary does not marshal: %v", err)
	}
	if rep.planned.Load() != int64(len(sum.Resources)) || rep.started.Load() != int64(len(sum.Resources)) || rep.done.Load() != int64(len(sum.Resources)) ||
		rep.items.Load() != sum.Total.New || rep.bytes.Load() != sum.Total.BytesRead || rep.failed.Load() != 0 {
		t.Errorf("reporter saw %d started, %d done, %d items, %d bytes, %d failed; summary: %d resources, %+v",
			rep.started.Load(), rep.done.Load(), rep.items.Load(), rep.bytes.Load(), rep.failed.Load(), len(sum.Resources), sum.Total)
	}

	members := e.members()
	if got, want := len(sum.Resources), 2*len(members); got != want {
		t.Fatalf("%d resources backed up, want %d (guests are left out)\n%s", got, want, dump(sum))
	}
	var messages, driveItems, files int64
	tt := e.tenant()
	tt.Read(func() error {
		for _, id := range members {
			u := tt.User(id)
			vis := simclient.VisibleFolders(u.Mailbox)
			for key, m := range u.Mailbox.Messages {
				if key == m.ImmutableID && vis[m.FolderID] {
					messages++
				}
			}
			for _, it := range u.Drive.Items {
				if !it.Deleted {
					driveItems++
					if !it.Folder {
						files++
					}
				}
			}
		}
		return nil
	})
	mail, drive := workloadTotals(sum, WorkloadMail), workloadTotals(sum, WorkloadOneDrive)
	if mail.New != messages || mail.Downloaded != messages || mail.Changed+mail.Deleted+mail.Unchanged+mail.Failed != 0 {
		t.Errorf("mail counts %+v, tenant has %d messages", mail, messages)
	}
	if drive.New != driveItems || drive.Downloaded != files || drive.Changed+drive.Deleted+drive.Unchanged+drive.Failed != 0 {
		t.Errorf("drive counts %+v, tenant has %d items, %d files", drive, driveItems, files)
	}
	if messages < 50 || files < 30 {
		t.Fatalf("tenant too small to prove much: %d messages, %d files", messages, files)
	}
	if got := e.mimeRequests(); got != messages {
		t.Errorf("%d $value requests for %d messages", got, messages)
	}
	for _, r := range sum.Resources {
		if r.Status != StatusOK || !r.Full || r.Snapshot == "" {
			t.Errorf("%s %s: status %s full %v snapshot %q", r.Workload, r.Name, r.Status, r.Full, r.Snapshot)
		}
	}
	e.checkAll()

	// Tags and state.
	info := e.latest(members[0], WorkloadMail)
	if info.Tags["run-id"] != "run-1" || info.Tags["resource"] != members[0] || info.Tags["resource-name"] == "" {
		t.Errorf("tags %v", info.Tags)
	}
	st := e.state(info.ID)
	if st.RunID != "run-1" || len(st.Folders) == 0 || len(st.Failures) != 0 {
		t.Errorf("state: run %q, %d folders, %d failures", st.RunID, len(st.Folders), len(st.Failures))
	}
	for id, fs := range st.Folders {
		if fs.DeltaLink == "" {
			t.Errorf("folder %s (%s) has no delta link", id, fs.Name)
		}
	}

	// A second run without changes reads no content and stores little.
	e.resetStats()
	sum2 := e.mustBackup(BackupOptions{})
	mail2, drive2 := workloadTotals(sum2, WorkloadMail), workloadTotals(sum2, WorkloadOneDrive)
	if mail2.Unchanged != messages || drive2.Unchanged != driveItems || mail2.Downloaded+drive2.Downloaded != 0 {
		t.Errorf("unchanged run: mail %+v drive %+v", mail2, drive2)
	}
	if n := e.mimeRequests() + e.downloadRequests(); n != 0 {
		t.Errorf("unchanged run made %d content requests", n)
	}
	t.Logf("full: %d messages, %d drive items, %d Graph requests, stored %d bytes; unchanged run: %d requests, stored %d bytes",
		messages, driveItems, sum.Graph.Requests, sum.Total.BytesStored, sum2.Graph.Requests, sum2.Total.BytesStored)
	e.checkAll()
	e.verify()
}

// TestBackupUsers backs up named users: a member by UPN, a guest (no
// mailbox, no OneDrive: skipped) and a user that does not exist (failed,
// so the run is partial).
func TestBackupUsers(t *testing.T) {
	e := newEnv(t, smallTenant(22, 2), m365sim.Options{})
	var member, guest string
	tt := e.tenant()
	tt.Read(func() error {
		for _, u := range tt.Users {
			if u.Mailbox != nil && member == "" {
				member = u.UPN
			}
			if u.Mailbox == nil {
				guest = u.UPN
			}
		}
		return nil
	})
	sum, err := e.backup(testCtx(t), BackupOptions{Users: []string{member, guest, "nobody@nowhere.test"}})
	if !errors.Is(err, ErrPartial) {
		t.Fatalf("err = %v, want ErrPartial", err)
	}
	status := map[string]Status{}
	for _, r := range sum.Resources {
		status[r.Name+" "+r.Workload] = r.Status
	}
	want := map[string]Status{
		member + " mail": StatusOK, member + " onedrive": StatusOK,
		guest + " mail": StatusSkipped, guest + " onedrive": StatusSkipped,
		"nobody@nowhere.test mail": StatusFailed, "nobody@nowhere.test onedrive": StatusFailed,
	}
	for k, v := range want {
		if status[k] != v {
			t.Errorf("%s: %s, want %s", k, status[k], v)
		}
	}
	if sum.FailedResources != 2 {
		t.Errorf("FailedResources = %d", sum.FailedResources)
	}
}

// countingReporter counts events; it is safe for concurrent use.
type countingReporter struct {
	planned, started, done, items, failed, bytes atomic.Int64
}

func (r *countingReporter) Planned(n int) { r.planned.Store(int64(n)) }

func (r *countingReporter) ResourceStarted(Resource)        { r.started.Add(1) }
func (r *countingReporter) ResourceDone(ResourceSummary)    { r.done.Add(1) }
func (r *countingReporter) ItemDone(ItemRef, Change, int64) { r.items.Add(1) }
func (r *countingReporter) ItemFailed(ItemRef, error)       { r.failed.Add(1) }
func (r *countingReporter) BytesRead(_ Resource, n int64)   { r.bytes.Add(n) }
