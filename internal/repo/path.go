package repo

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// splitPath turns a slash-separated snapshot path into its names. Leading and
// trailing slashes are ignored, so "" and "/" are the root (no names).
//
// Names may hold any unicode, spaces and any length: kopia keeps them in
// directory manifests, never on a local disk. Rejected are empty names
// ("a//b"), "." and ".." (an export would escape its target) and invalid
// UTF-8 (JSON would silently turn it into U+FFFD, changing the name).
func splitPath(p string) ([]string, error) {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil, nil
	}

	names := strings.Split(p, "/")
	for _, n := range names {
		switch {
		case n == "", n == ".", n == "..":
			return nil, fmt.Errorf("%w %q: empty, \".\" or \"..\" element", ErrInvalidPath, p)
		case !utf8.ValidString(n):
			return nil, fmt.Errorf("%w %q: not valid UTF-8", ErrInvalidPath, p)
		case strings.ContainsRune(n, 0):
			return nil, fmt.Errorf("%w %q: contains NUL", ErrInvalidPath, p)
		}
	}

	return names, nil
}
