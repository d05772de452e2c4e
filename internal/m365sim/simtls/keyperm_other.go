//go:build !unix

package simtls

import "os"

// checkKeyPerm only checks the file exists: Unix permission bits do not
// describe access on this platform.
func checkKeyPerm(path string) error {
	_, err := os.Stat(path)
	return err
}
