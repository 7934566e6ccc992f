package git

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

func asCommandError(err error, target **CommandError) bool { return errors.As(err, target) }

// CheckedOutIn lists the worktrees (the user's, not ferry's temporary ones)
// that have branch checked out.
func (r *Repo) CheckedOutIn(ctx context.Context, branch string) ([]string, error) {
	out, err := r.Run(ctx, "worktree", "list", "--porcelain")
	if err != nil {
		return nil, fmt.Errorf("list worktrees: %w", err)
	}
	ours := filepath.Join(r.GitDir, worktreeDirName)
	var dirs []string
	var dir string
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "worktree "):
			dir = strings.TrimPrefix(line, "worktree ")
		case line == "branch refs/heads/"+branch:
			if !strings.HasPrefix(dir, ours) {
				dirs = append(dirs, dir)
			}
		}
	}
	return dirs, nil
}

// IsClean reports whether the worktree at dir has no staged or unstaged
// changes to tracked files.
func (r *Repo) IsClean(ctx context.Context, dir string) (bool, error) {
	out, err := r.RunIn(ctx, dir, nil, "status", "--porcelain", "--untracked-files=no")
	if err != nil {
		return false, fmt.Errorf("status of %s: %w", dir, err)
	}
	return strings.TrimSpace(out) == "", nil
}

// DirtyError says a lane is checked out with local changes.
type DirtyError struct {
	Branch string
	Dir    string
	Detail string // why it cannot be updated, when not plain local changes
}

func (e *DirtyError) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("%s is checked out in %s and cannot be updated: %s", e.Branch, e.Dir, e.Detail)
	}
	return fmt.Sprintf("%s is checked out in %s with uncommitted changes", e.Branch, e.Dir)
}
func (e *DirtyError) Is(target error) bool { return target == ErrDirty }
func (e *DirtyError) Hint() string {
	return "commit or stash the changes in " + e.Dir + ", or check out another branch there"
}

// CheckDirty returns a *DirtyError if branch is checked out in a worktree
// with uncommitted changes.
func (r *Repo) CheckDirty(ctx context.Context, branch string) error {
	return r.CheckCheckouts(ctx, branch, "", "")
}

// CheckCheckouts returns a *DirtyError if branch is checked out in a
// worktree that could not follow it from old to newRev: uncommitted
// changes, or (when old and newRev are given) untracked files the new
// commit would overwrite. Nothing is written.
func (r *Repo) CheckCheckouts(ctx context.Context, branch, old, newRev string) error {
	dirs, err := r.CheckedOutIn(ctx, branch)
	if err != nil {
		return err
	}
	for _, d := range dirs {
		clean, err := r.IsClean(ctx, d)
		if err != nil {
			return err
		}
		if !clean {
			return &DirtyError{Branch: branch, Dir: d}
		}
		if old == "" || newRev == "" {
			continue
		}
		if _, err := r.RunIn(ctx, d, nil, "read-tree", "-n", "-u", "-m", old, newRev); err != nil {
			return &DirtyError{Branch: branch, Dir: d, Detail: err.Error()}
		}
	}
	return nil
}

// SyncCheckouts brings every clean worktree that has branch checked out from
// old to new (the branch ref has already moved), so the working tree never
// looks modified. It returns notes for worktrees it had to leave alone.
func (r *Repo) SyncCheckouts(ctx context.Context, branch, old, newRev string) ([]string, error) {
	dirs, err := r.CheckedOutIn(ctx, branch)
	if err != nil {
		return nil, err
	}
	var notes []string
	for _, d := range dirs {
		if _, err := r.RunIn(ctx, d, nil, "read-tree", "-u", "-m", old, newRev); err != nil {
			notes = append(notes, fmt.Sprintf("%s is checked out in %s and could not be updated (%v); run git reset --keep %s there", branch, d, err, short(newRev)))
		}
	}
	return notes, nil
}
