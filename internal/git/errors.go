package git

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Sentinel errors the callers branch on.
var (
	// ErrNonFastForward: a ref or a push would not be a fast-forward, or a
	// compare-and-swap update found the ref moved.
	ErrNonFastForward = errors.New("non-fast-forward")
	// ErrConflict: a merge stopped with conflicts (see *ConflictError).
	ErrConflict = errors.New("merge conflict")
	// ErrUnknownRef: a ref, revision or remote does not exist.
	ErrUnknownRef = errors.New("unknown ref")
	// ErrDirty: a working tree has uncommitted changes.
	ErrDirty = errors.New("dirty working tree")
	// ErrInvalidName: a user-supplied ref or branch name is not valid.
	ErrInvalidName = errors.New("invalid name")
	// ErrNotRepo: the directory is not inside a Git repository.
	ErrNotRepo = errors.New("not a git repository")
)

// CommandError is a failed git invocation with its captured stderr.
type CommandError struct {
	Args     []string // git arguments (never contains credentials: ferry passes none)
	ExitCode int
	Stderr   string
}

// userinfo matches credentials in a URL ("https://user:token@host").
var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@`)

// Redact removes credentials from URLs in s.
func Redact(s string) string { return userinfo.ReplaceAllString(s, "${1}***@") }

func (e *CommandError) Error() string {
	msg := Redact(strings.TrimSpace(e.Stderr))
	if i := strings.IndexByte(msg, '\n'); i >= 0 && len(msg) > 400 {
		msg = msg[:i]
	}
	sub := ""
	if len(e.Args) > 0 {
		sub = e.Args[0]
	}
	if msg == "" {
		return fmt.Sprintf("git %s: exit status %d", sub, e.ExitCode)
	}
	return fmt.Sprintf("git %s: %s", sub, msg)
}

// ConflictError lists the paths a merge could not combine.
type ConflictError struct {
	Into  string   // what was being merged into
	From  string   // what was being merged
	Paths []string // conflicting paths, sorted
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("merge %s into %s: conflict in %s", e.From, e.Into, strings.Join(e.Paths, ", "))
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Hint tells the user what to do about a conflict.
func (e *ConflictError) Hint() string {
	return fmt.Sprintf("merge %s into %s by hand in a topic branch, resolve %s, then retry", e.From, e.Into, strings.Join(e.Paths, ", "))
}

// RefError names the ref an ErrUnknownRef or ErrNonFastForward is about.
type RefError struct {
	Ref string
	Err error // ErrUnknownRef or ErrNonFastForward
	Msg string
}

func (e *RefError) Error() string {
	if e.Msg != "" {
		return fmt.Sprintf("%s: %s", e.Ref, e.Msg)
	}
	return fmt.Sprintf("%s: %v", e.Ref, e.Err)
}

func (e *RefError) Unwrap() error { return e.Err }

// NameError is an invalid user-supplied ref or branch name.
type NameError struct {
	Name   string
	Reason string
}

func (e *NameError) Error() string {
	return fmt.Sprintf("invalid name %q: %s", e.Name, e.Reason)
}

func (e *NameError) Is(target error) bool { return target == ErrInvalidName }

// ConfigError marks an invalid name as a usage error (exit 2).
func (e *NameError) ConfigError() bool { return true }
