package git

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ReadFile returns the content of the regular file at path in rev, and
// false when rev has no such file. path is slash-separated, relative to the
// repository root.
func (r *Repo) ReadFile(ctx context.Context, rev, file string) ([]byte, bool, error) {
	p, err := cleanRepoPath(file)
	if err != nil {
		return nil, false, err
	}
	out, err := r.Run(ctx, "ls-tree", "-z", "--full-tree", "--end-of-options", rev+"^{tree}", "--", p)
	if err != nil {
		return nil, false, fmt.Errorf("read %s at %s: %w", p, short(rev), err)
	}
	// "<mode> <type> <id>\t<path>\x00"
	meta, _, ok := strings.Cut(strings.TrimSuffix(out, "\x00"), "\t")
	f := strings.Fields(meta)
	if !ok || len(f) != 3 || f[1] != "blob" {
		return nil, false, nil
	}
	blob, err := r.Run(ctx, "cat-file", "blob", f[2])
	if err != nil {
		return nil, false, fmt.Errorf("read %s at %s: %w", p, short(rev), err)
	}
	return []byte(blob), true, nil
}

// TreeWithFile returns the ID of a tree equal to base with the regular file
// at path set to content. It works in a temporary index (under the
// repository's ferry-worktrees directory, removed by CleanWorktrees if the
// process is killed), never in a working tree or the user's index.
func (r *Repo) TreeWithFile(ctx context.Context, base, file string, content []byte) (string, error) {
	p, err := cleanRepoPath(file)
	if err != nil {
		return "", err
	}
	var tree string
	err = r.withTempDir(ctx, "ix", func(dir string) error {
		env := []string{"GIT_INDEX_FILE=" + filepath.Join(dir, "index")}
		if _, err := r.runEnv(ctx, r.Dir, nil, env, "read-tree", "--end-of-options", base+"^{tree}"); err != nil {
			return fmt.Errorf("read tree %s: %w", short(base), err)
		}
		blob, err := r.RunStdin(ctx, content, "hash-object", "-w", "--stdin")
		if err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		if _, err := r.runEnv(ctx, r.Dir, nil, env, "update-index", "--add", "--cacheinfo", "100644", strings.TrimSpace(blob), p); err != nil {
			return fmt.Errorf("stage %s: %w", p, err)
		}
		out, err := r.runEnv(ctx, r.Dir, nil, env, "write-tree")
		if err != nil {
			return fmt.Errorf("write tree: %w", err)
		}
		tree = strings.TrimSpace(out)
		return nil
	})
	return tree, err
}

// withTempDir runs fn in a fresh directory under <git-dir>/ferry-worktrees
// with a pid file, so a killed run's directory is removed by CleanWorktrees.
func (r *Repo) withTempDir(ctx context.Context, prefix string, fn func(dir string) error) error {
	if err := r.CleanWorktrees(ctx); err != nil {
		return err
	}
	base := filepath.Join(r.GitDir, worktreeDirName)
	if err := os.MkdirAll(base, 0o755); err != nil {
		return fmt.Errorf("create temp dir: %w", err)
	}
	dir := filepath.Join(base, fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), time.Now().UnixNano()))
	if err := os.WriteFile(dir+".pid", []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return fmt.Errorf("create temp dir lock: %w", err)
	}
	defer os.Remove(dir + ".pid")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("create temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	return fn(dir)
}

// cleanRepoPath checks that p names a file inside the repository and
// returns it slash-separated and clean.
func cleanRepoPath(p string) (string, error) {
	c := path.Clean(filepath.ToSlash(p))
	if p == "" || c == "." || strings.ContainsAny(p, "\x00\n") || path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") || strings.HasPrefix(c, ".git/") || c == ".git" {
		return "", &NameError{Name: p, Reason: "not a file path inside the repository"}
	}
	return c, nil
}

// TreeOfFiles writes a tree holding exactly files (slash-separated paths
// relative to the tree's root, regular files 0644) and returns its ID. Like
// TreeWithFile it works in a temporary directory and index, never in a
// working tree or the user's index; two calls with equal files give the
// same ID.
func (r *Repo) TreeOfFiles(ctx context.Context, files map[string][]byte) (string, error) {
	var tree string
	err := r.withTempDir(ctx, "tf", func(dir string) error {
		work := filepath.Join(dir, "files")
		for name, data := range files {
			p, err := cleanRepoPath(name)
			if err != nil {
				return err
			}
			full := filepath.Join(work, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				return fmt.Errorf("stage %s: %w", p, err)
			}
			if err := os.WriteFile(full, data, 0o644); err != nil {
				return fmt.Errorf("stage %s: %w", p, err)
			}
		}
		if err := os.MkdirAll(work, 0o755); err != nil {
			return fmt.Errorf("stage files: %w", err)
		}
		env := []string{"GIT_INDEX_FILE=" + filepath.Join(dir, "index"), "GIT_DIR=" + r.GitDir, "GIT_WORK_TREE=" + work}
		// --force: the repository's .gitignore and info/exclude do not
		// apply to files that are not its own.
		if _, err := r.runEnv(ctx, work, nil, env, "add", "--all", "--force", "--", "."); err != nil {
			return fmt.Errorf("stage files: %w", err)
		}
		out, err := r.runEnv(ctx, work, nil, env, "write-tree")
		if err != nil {
			return fmt.Errorf("write tree: %w", err)
		}
		tree = strings.TrimSpace(out)
		return nil
	})
	return tree, err
}
