package scaffold

import (
	"errors"
	"fmt"
)

// Sentinels callers branch on.
var (
	// ErrNotEmpty: the target directory has files and force was not given.
	ErrNotEmpty = errors.New("directory is not empty")
	// ErrAlreadyRepo: the target directory already is a Git repository.
	ErrAlreadyRepo = errors.New("directory is already a git repository")
)

// NotEmptyError says which directory was not empty and what it held first.
type NotEmptyError struct {
	Dir   string
	Entry string // one entry found, for the message
}

func (e *NotEmptyError) Error() string {
	return fmt.Sprintf("write platform to %s: directory is not empty (has %s)", e.Dir, e.Entry)
}

// Is makes errors.Is(err, ErrNotEmpty) true.
func (e *NotEmptyError) Is(target error) bool { return target == ErrNotEmpty }

// ConfigError marks the error as a usage problem (exit 2), not a failure.
func (e *NotEmptyError) ConfigError() bool { return true }

// Hint tells the user how to go on.
func (e *NotEmptyError) Hint() string {
	return "ferry init " + e.Dir + " --force (overwrites the reference files, keeps others), or pick an empty directory"
}

// AlreadyRepoError says the directory already holds a Git repository.
type AlreadyRepoError struct{ Dir string }

func (e *AlreadyRepoError) Error() string {
	return fmt.Sprintf("init repository %s: directory is already a git repository", e.Dir)
}

// Is makes errors.Is(err, ErrAlreadyRepo) true.
func (e *AlreadyRepoError) Is(target error) bool { return target == ErrAlreadyRepo }

// ConfigError marks the error as a usage problem (exit 2).
func (e *AlreadyRepoError) ConfigError() bool { return true }

// Hint tells the user how to go on.
func (e *AlreadyRepoError) Hint() string {
	return "ferry init into a new directory; ferry never rewrites an existing repository's history"
}
