package simclient

import (
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

func TestTestClientSignsIn(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 1, Seed: 2})
	c := TestClient(t, l)
	org, err := c.Organization(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if org.ID != l.TenantID {
		t.Errorf("organization %s, want tenant %s", org.ID, l.TenantID)
	}
}

func TestStartTenantServesGenerated(t *testing.T) {
	l := StartTenant(t, tenant.GenOptions{Seed: 3, Users: 2, MessagesPerUser: 3, FilesPerUser: 1}, m365sim.Options{})
	org, err := TestClient(t, l).Organization(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if org.ID != l.TenantID {
		t.Errorf("organization %s, want tenant %s", org.ID, l.TenantID)
	}
	messages := 0
	tn := l.Server.Tenant()
	tn.Read(func() error {
		for _, u := range tn.Users {
			if u.Mailbox != nil {
				messages += len(u.Mailbox.Messages)
			}
		}
		return nil
	})
	if messages == 0 {
		t.Error("the generated tenant holds no messages")
	}
}

func TestStartDirectoryHasNoMail(t *testing.T) {
	l, c := StartDirectory(t, m365sim.Options{Users: 2, Seed: 4})
	if _, err := c.Organization(t.Context()); err != nil {
		t.Fatal(err)
	}
	tn := l.Server.Tenant()
	tn.Read(func() error {
		for _, u := range tn.Users {
			if u.Mailbox != nil && len(u.Mailbox.Messages) > 0 {
				t.Errorf("user %s has %d messages", u.UPN, len(u.Mailbox.Messages))
			}
		}
		return nil
	})
}

func TestVisibleFolders(t *testing.T) {
	mb := &tenant.Mailbox{WellKnown: map[string]string{"msgfolderroot": "root"}, Folders: map[string]*tenant.MailFolder{}}
	for _, f := range []*tenant.MailFolder{
		{ID: "root"},
		{ID: "inbox", ParentID: "root"},
		{ID: "sub", ParentID: "inbox"},
		{ID: "hidden", ParentID: "root", Hidden: true},
		{ID: "below-hidden", ParentID: "hidden"},
		{ID: "gone", ParentID: "root", Deleted: true},
	} {
		mb.Folders[f.ID] = f
		mb.FolderList = append(mb.FolderList, f)
	}
	got := VisibleFolders(mb)
	if len(got) != 2 || !got["inbox"] || !got["sub"] {
		t.Errorf("visible folders %v, want inbox and sub", got)
	}
}
