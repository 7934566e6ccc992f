package git

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// worktreeDirName is where ferry's temporary worktrees live, inside the
// repository's common git directory so they never show in the user's tree.
const worktreeDirName = "ferry-worktrees"

// Worktree is a temporary, detached worktree ferry writes in.
type Worktree struct {
	repo *Repo
	Dir  string
}

// Run runs git inside the worktree.
func (w *Worktree) Run(ctx context.Context, args ...string) (string, error) {
	return w.repo.RunIn(ctx, w.Dir, nil, args...)
}

// RunStdin runs git inside the worktree with stdin.
func (w *Worktree) RunStdin(ctx context.Context, stdin []byte, args ...string) (string, error) {
	return w.repo.RunIn(ctx, w.Dir, stdin, args...)
}

// Head returns the worktree's HEAD commit.
func (w *Worktree) Head(ctx context.Context) (string, error) {
	out, err := w.Run(ctx, "rev-parse", "--verify", "HEAD^{commit}")
	if err != nil {
		return "", fmt.Errorf("read worktree head: %w", err)
	}
	return strings.TrimSpace(out), nil
}

// WithWorktree checks rev out, detached, in a fresh temporary worktree under
// <git-dir>/ferry-worktrees, runs fn in it and removes it. A pid file next to
// the worktree lets CleanWorktrees remove it if this process is killed.
func (r *Repo) WithWorktree(ctx context.Context, rev string, fn func(*Worktree) error) (err error) {
	if err := r.CleanWorktrees(ctx); err != nil {
		return err
	}
	base := filepath.Join(r.GitDir, worktreeDirName)
	if err := os.MkdirAll(base, 0o755); err != nil {
		return fmt.Errorf("create worktree dir: %w", err)
	}
	name := fmt.Sprintf("wt-%d-%d", os.Getpid(), time.Now().UnixNano())
	dir := filepath.Join(base, name)
	pidFile := dir + ".pid"
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return fmt.Errorf("create worktree lock: %w", err)
	}
	defer os.Remove(pidFile)
	if _, err := r.Run(ctx, "worktree", "add", "--detach", "--quiet", dir, rev+"^{commit}"); err != nil {
		return fmt.Errorf("create worktree at %s: %w", short(rev), err)
	}
	defer func() {
		// Remove with a fresh context: the caller's may be cancelled.
		if rerr := r.removeWorktree(context.Background(), dir); rerr != nil && err == nil {
			err = rerr
		}
	}()
	return fn(&Worktree{repo: r, Dir: dir})
}

func (r *Repo) removeWorktree(ctx context.Context, dir string) error {
	if _, err := r.Run(ctx, "worktree", "remove", "--force", "--force", dir); err != nil {
		// The worktree may be half-created; remove the directory and prune.
		if rmErr := os.RemoveAll(dir); rmErr != nil {
			return fmt.Errorf("remove worktree %s: %w", dir, rmErr)
		}
		if _, err := r.Run(ctx, "worktree", "prune"); err != nil {
			return fmt.Errorf("prune worktrees: %w", err)
		}
	}
	return nil
}

// CleanWorktrees removes temporary worktrees whose owning process is gone
// (left by a killed ferry). Worktrees of live processes are kept.
func (r *Repo) CleanWorktrees(ctx context.Context) error {
	base := filepath.Join(r.GitDir, worktreeDirName)
	entries, err := os.ReadDir(base)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("clean worktrees: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(base, e.Name())
		if pidAlive(dir + ".pid") {
			continue
		}
		// A git child of the killed process may still be finishing in the
		// directory; if it cannot be removed now, the next run will.
		if removeAllRetry(dir) != nil {
			continue
		}
		os.Remove(dir + ".pid")
	}
	// Pid files whose worktree never got created.
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".pid") {
			if _, err := os.Stat(filepath.Join(base, strings.TrimSuffix(n, ".pid"))); errors.Is(err, fs.ErrNotExist) && !pidAlive(filepath.Join(base, n)) {
				os.Remove(filepath.Join(base, n))
			}
		}
	}
	// A run killed while git was creating or removing a worktree can
	// leave git's record of it without the directory: prune then (only
	// then, which saves a git process at every sync and plan).
	if r.stalePrunable() {
		if _, err := r.Run(ctx, "worktree", "prune"); err != nil {
			return fmt.Errorf("prune worktrees: %w", err)
		}
	}
	return nil
}

// stalePrunable reports whether git records a worktree whose directory is
// gone (or a record it cannot read), which git worktree prune removes.
func (r *Repo) stalePrunable() bool {
	base := filepath.Join(r.GitDir, "worktrees")
	entries, err := os.ReadDir(base)
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		return true
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(base, e.Name(), "gitdir"))
		if err != nil {
			return true
		}
		if _, err := os.Stat(strings.TrimSpace(string(data))); err != nil {
			return true
		}
	}
	return false
}

// pidAlive reads a pid file and reports whether that process still runs. A
// missing or unreadable file counts as dead.
func pidAlive(pidFile string) bool {
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return false
	}
	err = syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func removeAllRetry(dir string) error {
	var err error
	for i := range 3 {
		if err = os.RemoveAll(dir); err == nil {
			return nil
		}
		time.Sleep(time.Duration(i+1) * 20 * time.Millisecond)
	}
	return err
}
