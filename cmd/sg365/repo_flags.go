package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/safeguard365/safeguard365/internal/secret"
)

// Environment variables for the repository.
const (
	envRepository   = "SG365_REPOSITORY"
	envPassword     = "SG365_PASSWORD"
	envPasswordFile = "SG365_PASSWORD_FILE"
)

// RepoFlags select a repository and where its password comes from. There is
// no flag for the password's value (STYLE.md §8).
type RepoFlags struct {
	URL          string
	PasswordFile string
}

// AddFlags registers the repository flags.
func (f *RepoFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.URL, "repo", "", "repository `url`, e.g. file:///srv/sg365 (default: $"+envRepository+
		", else the one saved by 'sg365 repo connect', else file://$XDG_DATA_HOME/sg365/repository)")
	fs.StringVar(&f.PasswordFile, "password-file", "", "read the repository password from `file` (or set $"+envPasswordFile+" or $"+envPassword+"; else you are asked)")
}

// dataDir is where SafeGuard365 keeps data by default.
func dataDir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "sg365"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the home directory for the default repository: %w", err)
	}
	return filepath.Join(home, ".local", "share", "sg365"), nil
}

// savedRepoFile remembers the repository 'repo connect' chose. It holds a
// URL only, never a password.
func savedRepoFile() (string, error) {
	d, err := dataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "repository-url"), nil
}

// repoURL resolves the repository URL: flag, environment, saved, default.
func (f RepoFlags) repoURL() (string, error) {
	if f.URL != "" {
		return f.URL, nil
	}
	if v := strings.TrimSpace(os.Getenv(envRepository)); v != "" {
		return v, nil
	}
	if p, err := savedRepoFile(); err == nil {
		if b, err := os.ReadFile(p); err == nil && strings.TrimSpace(string(b)) != "" {
			return strings.TrimSpace(string(b)), nil
		}
	}
	d, err := dataDir()
	if err != nil {
		return "", err
	}
	return "file://" + filepath.ToSlash(filepath.Join(d, "repository")), nil
}

// errNoPassword explains where a password can come from.
var errNoPassword = errors.New("no repository password: use --password-file FILE, set " + envPasswordFile +
	" or " + envPassword + ", or run on a terminal to be asked")

// password resolves the repository password: --password-file, then
// $SG365_PASSWORD_FILE, then $SG365_PASSWORD, then a prompt on a terminal.
// confirm asks twice (for init).
func (f RepoFlags) password(stdin *os.File, stderr io.Writer, confirm bool) (secret.Secret, error) {
	file := f.PasswordFile
	if file == "" {
		file = os.Getenv(envPasswordFile)
	}
	if file != "" {
		return secret.FromFile(file)
	}
	if s, ok := secret.FromEnv(envPassword); ok {
		return s, nil
	}
	if stdin == nil || !term.IsTerminal(int(stdin.Fd())) {
		return secret.Secret{}, errNoPassword
	}
	read := func(prompt string) (string, error) {
		fmt.Fprint(stderr, prompt)
		b, err := term.ReadPassword(int(stdin.Fd()))
		fmt.Fprintln(stderr)
		return string(b), err
	}
	pw, err := read("Repository password: ")
	if err != nil {
		return secret.Secret{}, fmt.Errorf("read password: %w", err)
	}
	if pw == "" {
		return secret.Secret{}, errors.New("empty repository password")
	}
	if confirm {
		again, err := read("Repeat password: ")
		if err != nil {
			return secret.Secret{}, fmt.Errorf("read password: %w", err)
		}
		if again != pw {
			return secret.Secret{}, errors.New("the passwords do not match")
		}
	}
	return secret.New(pw), nil
}
