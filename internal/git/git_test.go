package git

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newRepo initialises a repository with one commit on main and returns it
// with that commit's ID. HOME points at an empty dir so the user's global
// config cannot leak in.
func newRepo(t *testing.T) (*Repo, string) {
	t.Helper()
	isolateConfig(t)
	ctx := context.Background()
	dir := t.TempDir()
	r, err := Init(ctx, dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	head := commitFile(t, r, "README.md", "hello\n", "chore: initial")
	return r, head
}

func isolateConfig(t *testing.T) {
	t.Helper()
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	for _, k := range []string{"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_DIR", "GIT_WORK_TREE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

// commitFile writes a file in r's working tree and commits it there.
func commitFile(t *testing.T, r *Repo, name, content, msg string) string {
	t.Helper()
	ctx := context.Background()
	p := filepath.Join(r.Dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(ctx, "add", "--", name); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(ctx, "commit", "-q", "-m", msg); err != nil {
		t.Fatal(err)
	}
	h, err := r.ResolveCommit(ctx, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestInitUsesDefaultIdentityWithoutWritingConfig(t *testing.T) {
	r, head := newRepo(t)
	ctx := context.Background()
	out, err := r.Run(ctx, "log", "-1", "--format=%an <%ae>", head)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out); got != "ferry <ferry@localhost>" {
		t.Fatalf("author = %q, want ferry <ferry@localhost>", got)
	}
	cfg, err := os.ReadFile(filepath.Join(r.GitDir, "config"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(cfg), "ferry@localhost") {
		t.Fatalf("identity was written to the repository config:\n%s", cfg)
	}
}

func TestOpenNotARepo(t *testing.T) {
	isolateConfig(t)
	_, err := Open(t.TempDir())
	if !errors.Is(err, ErrNotRepo) {
		t.Fatalf("Open(empty dir) = %v, want ErrNotRepo", err)
	}
}

func TestResolveCommitNeverReadsOptions(t *testing.T) {
	r, head := newRepo(t)
	ctx := context.Background()
	for _, rev := range []string{"--all", "-h", "--output=/tmp/x", "nope"} {
		_, err := r.ResolveCommit(ctx, rev)
		if !errors.Is(err, ErrUnknownRef) {
			t.Errorf("ResolveCommit(%q) = %v, want ErrUnknownRef", rev, err)
		}
	}
	got, err := r.ResolveCommit(ctx, "main")
	if err != nil || got != head {
		t.Fatalf("ResolveCommit(main) = %q, %v; want %q", got, err, head)
	}
}

func TestUpdateRefCompareAndSwap(t *testing.T) {
	r, first := newRepo(t)
	ctx := context.Background()
	second := commitFile(t, r, "a.txt", "a\n", "feat: a")
	if err := r.UpdateRef(ctx, "refs/heads/lane", first, "", "create"); err != nil {
		t.Fatalf("create: %v", err)
	}
	// Creating again must fail: the ref exists.
	if err := r.UpdateRef(ctx, "refs/heads/lane", second, "", "create again"); !errors.Is(err, ErrNonFastForward) {
		t.Fatalf("create existing = %v, want ErrNonFastForward", err)
	}
	// A stale old value must fail and leave the ref alone.
	if err := r.UpdateRef(ctx, "refs/heads/lane", second, second, "stale"); !errors.Is(err, ErrNonFastForward) {
		t.Fatalf("stale CAS = %v, want ErrNonFastForward", err)
	}
	if h, _ := r.BranchHead(ctx, "lane"); h != first {
		t.Fatalf("lane moved by a failed CAS: %s", h)
	}
	if err := r.UpdateRef(ctx, "refs/heads/lane", second, first, "move"); err != nil {
		t.Fatalf("CAS: %v", err)
	}
	if h, _ := r.BranchHead(ctx, "lane"); h != second {
		t.Fatalf("lane = %s, want %s", h, second)
	}
}

func TestValidateRefName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		ok   bool
	}{
		{"feature/aws-foundation", true},
		{"hotfix/k3d-dns", true},
		{"v1.2.3", true},
		{"main", true},
		{"-x", false},
		{"--upload-pack=evil", false},
		{"", false},
		{"a..b", false},
		{"a b", false},
		{"a~1", false},
		{"a^", false},
		{"a:b", false},
		{"a?", false},
		{"a*", false},
		{"a[", false},
		{"a\\b", false},
		{"/a", false},
		{"a/", false},
		{"a//b", false},
		{"a.", false},
		{"a/.b", false},
		{"a.lock", false},
		{"a/b.lock/c", false},
		{"a@{1}", false},
		{"@", false},
		{"a\x01", false},
		{"a\x7f", false},
	}
	for _, c := range cases {
		err := ValidateRefName(c.name)
		if (err == nil) != c.ok {
			t.Errorf("ValidateRefName(%q) = %v, want ok=%v", c.name, err, c.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidName) {
			t.Errorf("ValidateRefName(%q) error %v is not ErrInvalidName", c.name, err)
		}
	}
	if err := ValidateBranchName("HEAD"); err == nil {
		t.Error("HEAD accepted as a branch name")
	}
}

func TestCommandErrorRedactsCredentials(t *testing.T) {
	t.Parallel()
	e := &CommandError{Args: []string{"fetch"}, ExitCode: 128,
		Stderr: "fatal: unable to access 'https://bot:ghp_SECRET123@git.example.com/platform.git/': 403"}
	if msg := e.Error(); strings.Contains(msg, "SECRET") || !strings.Contains(msg, "https://***@git.example.com") {
		t.Fatalf("error = %q", msg)
	}
}
