//go:build unix

package simtls

import (
	"fmt"
	"os"
)

// checkKeyPerm refuses a key file that group or others may access, as ssh
// does for private keys.
func checkKeyPerm(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if m := fi.Mode().Perm(); m&0o077 != 0 {
		return fmt.Errorf("%s has mode %#o; the ca key must not be readable by others (chmod 600)", path, m)
	}
	return nil
}
