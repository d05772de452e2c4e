package dataguard

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// BackupOptions configure Backup. The zero value of every field but
// TenantID selects the documented default.
type BackupOptions struct {
	// TenantID is the Entra tenant id; it names the snapshots' source.
	// Required.
	TenantID string
	// Workloads to back up: WorkloadMail, WorkloadCalendar,
	// WorkloadContacts, WorkloadOneDrive. Default: all four.
	Workloads []string
	// Users are the users to back up, by Graph id or user principal name.
	// Default: every member user of the tenant (guests have neither a
	// mailbox nor a OneDrive and are left out).
	Users []string
	// Workers is how many resources (a user's mailbox or OneDrive) are
	// backed up at once. Default 8. Each open resource holds a repository
	// write session, whose chunk and pack buffers dominate memory: about
	// 60-70 MiB each (BenchmarkBackupMailbox), so 8 workers need about
	// half a GiB.
	Workers int
	// FolderWorkers is how many mail folders of one mailbox run their delta
	// round at once; each folder downloads up to itemWorkers messages at
	// once, and the graph client lets four requests per mailbox reach
	// Graph (Outlook's limit), so more folders mostly overlap listing with
	// downloading. For OneDrive it sets the downloads per drive
	// (2×FolderWorkers). Default 4.
	FolderWorkers int
	// RunID names the run in snapshot tags and state. Default: a new
	// random id.
	RunID string
	// Reporter receives progress events. Default: NopReporter.
	Reporter Reporter
	// Now is the clock for timestamps in the state and the summary.
	// Default time.Now.
	Now func() time.Time
}

// itemWorkers is how many messages of one mail folder are fetched at once.
// Four matches Outlook's per-mailbox concurrency limit, which the graph
// client enforces anyway: more would only queue in its governor.
const itemWorkers = 4

func (o BackupOptions) withDefaults() BackupOptions {
	if len(o.Workloads) == 0 {
		o.Workloads = slices.Clone(Workloads)
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.FolderWorkers <= 0 {
		o.FolderWorkers = 4
	}
	if o.Reporter == nil {
		o.Reporter = NopReporter{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RunID == "" {
		var b [6]byte
		rand.Read(b[:])
		o.RunID = o.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
	}
	return o
}

func (o BackupOptions) validate() error {
	var errs []error
	if o.TenantID == "" {
		errs = append(errs, errors.New("tenant id is required"))
	}
	for _, w := range o.Workloads {
		if !slices.Contains(Workloads, w) {
			errs = append(errs, fmt.Errorf("unknown workload %q (known: %s)", w, strings.Join(Workloads, ", ")))
		}
	}
	return errors.Join(errs...)
}
