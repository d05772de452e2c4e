package tenant

import (
	"fmt"
	"strings"
	"time"
)

// RansomwareOptions configures Ransomware. The zero value encrypts 90% of
// the files, as a fast attack does before it is noticed.
type RansomwareOptions struct {
	Seed     uint64
	Now      time.Time // when the attack starts; zero means t.Now(). Files change one second apart.
	Fraction float64   // share of the files to encrypt, in (0, 1]; zero means 0.9
	Max      int       // encrypt at most this many files; zero means no limit
	Suffix   string    // appended to encrypted files' names; default ".locked"
	NoteName string    // ransom note placed in the drive root; default "README-RESTORE-FILES.txt"
}

// ransomNote is the note's text; it mimics the genre without being one.
const ransomNote = "Your files have been encrypted (SIMULATION by the SafeGuard365 emulator).\r\n" +
	"Every document, photo and database in this OneDrive now ends in %s.\r\n" +
	"To recover them, restore from your backup. Nothing here is real.\r\n"

// Ransomware simulates a ransomware attack on user's OneDrive (user is an
// id or UPN): many files are rewritten with high-entropy content of about
// their size (random bytes, a new quickXorHash and mimeType
// application/octet-stream; OneDrive keeps the old content as a version)
// and renamed with Suffix, and a ransom note appears in the root. It
// returns how many files were encrypted. Ransomware takes the tenant's
// write lock itself.
func Ransomware(t *Tenant, user string, opts RansomwareOptions) (int, error) {
	if opts.Fraction <= 0 || opts.Fraction > 1 {
		opts.Fraction = 0.9
	}
	if opts.Suffix == "" {
		opts.Suffix = ".locked"
	}
	if opts.NoteName == "" {
		opts.NoteName = "README-RESTORE-FILES.txt"
	}
	n := 0
	err := t.Write(func() error {
		u := t.User(user)
		if u == nil {
			return fmt.Errorf("user %q not found", user)
		}
		if u.Drive == nil {
			return fmt.Errorf("user %q has no OneDrive", user)
		}
		d := u.Drive
		now := opts.Now
		if now.IsZero() {
			now = t.Now()
		}
		now = now.UTC().Truncate(time.Second)
		r := newRand(t.Seed, "ransomware", opts.Seed, u.ID)
		var victims []*DriveItem
		walkDrive(d, d.Item("root"), func(it *DriveItem) {
			if !it.Folder && !strings.HasSuffix(it.Name, opts.Suffix) && it.Name != opts.NoteName {
				victims = append(victims, it)
			}
		})
		who := identity(u)
		for _, it := range victims {
			if opts.Max > 0 && n >= opts.Max {
				break
			}
			if !r.chance(opts.Fraction) {
				continue
			}
			at := now.Add(time.Duration(n) * time.Second)
			var size int64
			if it.Content != nil {
				size = it.Content.Size()
			}
			// Ciphertext: a 16-byte-padded body plus a small header, like
			// common file-encrypting malware.
			enc := Generated{Seed: SeedOf(t.Seed, "ransom", opts.Seed, it.ID), Len: (size/16+1)*16 + 512}
			setFileContent(t, d, it, "application/octet-stream", enc, at, who)
			if err := hashFile(it); err != nil {
				return fmt.Errorf("encrypt: %w", err)
			}
			parent := d.Items[it.ParentID]
			t.UpdateItem(d, it, nil, uniqueName(d, parent, it.Name+opts.Suffix), nil)
			n++
		}
		at := now.Add(time.Duration(n) * time.Second)
		note := Bytes(fmt.Sprintf(ransomNote, opts.Suffix))
		root := d.Item("root")
		it := newFileItem(uniqueName(d, root, opts.NoteName), fileTypeByExt("txt"), note, at, at, who, who)
		if err := hashFile(it); err != nil {
			return err
		}
		t.AddItem(d, root, it)
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("ransomware: %w", err)
	}
	return n, nil
}
