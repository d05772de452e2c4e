package catalog

import (
	"context"
	"strings"

	"github.com/safeguard365/safeguard365/internal/dataguard"
)

// contactJSON is what the catalog reads of a contact's Graph JSON.
type contactJSON struct {
	DisplayName string `json:"displayName"`
	Emails      []struct {
		Name    string `json:"name"`
		Address string `json:"address"`
	} `json:"emailAddresses"`
	Modified string `json:"lastModifiedDateTime"`
}

// listContacts lists a contacts snapshot's contacts. A contact's email
// addresses are stored as its sender, so that --from ADDRESS finds the
// card of an address. Like events, contacts are read every time and
// compared with their indexed version.
func listContacts(ctx context.Context, v *dataguard.View, _ Options, emit func(entry) error) error {
	for _, f := range v.ContactFolders() {
		cs, err := v.Contacts(ctx, f.ID)
		if err != nil {
			return err
		}
		for _, c := range cs {
			e := entry{Item: Item{Kind: KindContact, ID: c.ID, Folder: f.Path}}
			e.same = func(*Item) bool { return false }
			jsPath := c.JSON
			e.load = func(ctx context.Context, it *Item) error {
				var js contactJSON
				if err := v.ReadJSON(ctx, jsPath, &js); err != nil {
					return err
				}
				it.Name = js.DisplayName
				addrs := make([]string, 0, len(js.Emails))
				for _, m := range js.Emails {
					if m.Address != "" {
						addrs = append(addrs, "<"+m.Address+">")
					}
				}
				it.From = strings.Join(addrs, ", ")
				it.Modified = parseGraphTime(js.Modified)
				it.Date = it.Modified
				return nil
			}
			if err := emit(e); err != nil {
				return err
			}
		}
	}
	return nil
}
