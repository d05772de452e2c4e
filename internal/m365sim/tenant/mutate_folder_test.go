package tenant

import "testing"

func TestDeleteMailFolder(t *testing.T) {
	tn, err := Generate(SmallGenOptions(4))
	if err != nil {
		t.Fatal(err)
	}
	var user string
	tn.Read(func() error { user = tn.Users[0].ID; return nil })
	d, err := DeleteMailFolder(tn, user, "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Path == "" || d.Messages == 0 {
		t.Fatalf("deleted %+v: want a named folder with messages", d)
	}
	tn.Read(func() error {
		mb := tn.User(user).Mailbox
		if !mb.Folders[d.ID].Deleted {
			t.Error("folder not marked deleted")
		}
		for key, m := range mb.Messages {
			if key == m.ImmutableID && m.FolderID == d.ID && !m.Deleted {
				t.Errorf("message %s still in the deleted folder", key)
			}
		}
		return nil
	})
	if _, err := DeleteMailFolder(tn, user, d.ID); err == nil {
		t.Error("deleting the same folder twice succeeded")
	}
	if _, err := DeleteMailFolder(tn, "nobody@example.com", ""); err == nil {
		t.Error("unknown user accepted")
	}
}
