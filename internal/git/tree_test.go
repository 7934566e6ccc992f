package git

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTreeWithFileReplacesOneFile: the new tree is the base tree with one
// file set, other paths untouched, no worktree, index or ref changed.
func TestTreeWithFileReplacesOneFile(t *testing.T) {
	r, base := newRepo(t)
	ctx := context.Background()
	head := commitFile(t, r, "docs/CHANGELOG.md", "# Changelog\n", "docs: changelog")
	commitFile(t, r, "keep.txt", "keep\n", "chore: keep")
	indexBefore, _ := os.ReadFile(filepath.Join(r.GitDir, "index"))

	tree, err := r.TreeWithFile(ctx, "HEAD", "docs/CHANGELOG.md", []byte("# Changelog\n\n## v1\n"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.CommitTree(ctx, tree, []string{head}, "test")
	if err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{"docs/CHANGELOG.md": "# Changelog\n\n## v1\n", "keep.txt": "keep\n", "README.md": "hello\n"} {
		got, ok, err := r.ReadFile(ctx, c, file)
		if err != nil || !ok || string(got) != want {
			t.Errorf("%s = %q, %v, %v; want %q", file, got, ok, err, want)
		}
	}
	if _, ok, err := r.ReadFile(ctx, base, "docs/CHANGELOG.md"); ok || err != nil {
		t.Fatalf("file found before it was committed: %v %v", ok, err)
	}
	if _, ok, err := r.ReadFile(ctx, c, "docs"); ok || err != nil {
		t.Fatalf("a directory read as a file: %v %v", ok, err)
	}
	// A new file in a new directory.
	tree2, err := r.TreeWithFile(ctx, base, "a/b/new.md", []byte("new\n"))
	if err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, r, "ls-tree", "-r", "--name-only", tree2)
	if got := strings.Fields(out); strings.Join(got, " ") != "README.md a/b/new.md" {
		t.Fatalf("tree2 = %v", got)
	}
	if after, _ := os.ReadFile(filepath.Join(r.GitDir, "index")); string(after) != string(indexBefore) {
		t.Fatal("the user's index changed")
	}
	if st := mustRun(t, r, "status", "--porcelain"); st != "" {
		t.Fatalf("working tree changed: %q", st)
	}
	if entries, _ := os.ReadDir(filepath.Join(r.GitDir, worktreeDirName)); len(entries) != 0 {
		t.Fatalf("temporary index left behind: %v", entries)
	}
}

func TestTreeWithFileRefusesPathsOutside(t *testing.T) {
	r, _ := newRepo(t)
	ctx := context.Background()
	for _, p := range []string{"", ".", "../x", "/etc/passwd", ".git/config", "a/../../x"} {
		if _, err := r.TreeWithFile(ctx, "HEAD", p, []byte("x")); !errors.Is(err, ErrInvalidName) {
			t.Errorf("TreeWithFile(%q) = %v, want ErrInvalidName", p, err)
		}
		if _, _, err := r.ReadFile(ctx, "HEAD", p); !errors.Is(err, ErrInvalidName) {
			t.Errorf("ReadFile(%q) = %v, want ErrInvalidName", p, err)
		}
	}
}
