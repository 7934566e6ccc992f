package testenv_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/testenv"
)

func TestGitRemoteWithTwoClones(t *testing.T) {
	t.Parallel()
	remote := testenv.GitRemote(t)
	if got := testenv.GitRun(t, remote, "rev-parse", "--is-bare-repository"); got != "true" {
		t.Fatalf("remote is not bare: %q", got)
	}
	alice := testenv.GitClone(t, remote)
	bob := testenv.GitClone(t, remote)

	first := testenv.GitCommitFile(t, alice, "apps/web/app.yaml", "replicas: 1\n", "feat: web")
	testenv.GitRun(t, alice, "push", "--quiet", "origin", "main")

	testenv.GitRun(t, bob, "pull", "--quiet", "origin", "main")
	if got := testenv.GitRun(t, bob, "rev-parse", "HEAD"); got != first {
		t.Fatalf("bob HEAD = %s after pull, want %s", got, first)
	}
	data, err := os.ReadFile(filepath.Join(bob, "apps", "web", "app.yaml"))
	if err != nil || string(data) != "replicas: 1\n" {
		t.Fatalf("bob's file = %q, %v", data, err)
	}

	second := testenv.GitCommitFile(t, bob, "apps/web/app.yaml", "replicas: 2\n", "fix: scale web")
	testenv.GitRun(t, bob, "push", "--quiet", "origin", "main")
	testenv.GitRun(t, alice, "fetch", "--quiet", "origin")
	if got := testenv.GitRun(t, alice, "rev-parse", "origin/main"); got != second {
		t.Fatalf("alice origin/main = %s, want %s", got, second)
	}
	if got := testenv.GitRun(t, remote, "rev-list", "--count", "main"); got != "2" {
		t.Fatalf("remote main has %s commits, want 2", got)
	}
	// Alice's stale main cannot be pushed over Bob's commit.
	testenv.GitCommitFile(t, alice, "README.md", "x\n", "docs: readme")
	if _, err := gitTry(t, alice, "push", "origin", "main"); err == nil {
		t.Fatal("non-fast-forward push succeeded")
	}
}

func TestGitIdentityIsPerTest(t *testing.T) {
	t.Parallel()
	dir := testenv.GitClone(t, testenv.GitRemote(t))
	testenv.GitCommitFile(t, dir, "a.txt", "a", "chore: a")
	got := testenv.GitRun(t, dir, "log", "-1", "--format=%an <%ae>|%cn <%ce>")
	want := "ferry test testgitidentityispertest <testgitidentityispertest@test.ferry.invalid>"
	if got != want+"|"+want {
		t.Fatalf("identity = %q, want author and committer %q", got, want)
	}
}

func TestGitEnvIgnoresUserConfig(t *testing.T) {
	// Not parallel: it sets process environment variables.
	home := t.TempDir()
	cfg := "[user]\n\tname = Leaky User\n[commit]\n\tgpgsign = true\n"
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("GIT_DIR", filepath.Join(home, "not-a-repo"))
	t.Setenv("GIT_AUTHOR_NAME", "Leaky Author")
	dir := testenv.GitClone(t, testenv.GitRemote(t))
	testenv.GitCommitFile(t, dir, "f", "f", "chore: f")
	if got := testenv.GitRun(t, dir, "log", "-1", "--format=%an"); strings.Contains(got, "Leaky") {
		t.Fatalf("user identity leaked into the test: %q", got)
	}
	for _, kv := range testenv.GitEnv(t) {
		if kv == "HOME="+home || strings.HasPrefix(kv, "GIT_DIR=") {
			t.Fatalf("GitEnv kept %q", kv)
		}
	}
}

func TestGitIsolate(t *testing.T) {
	t.Setenv("GIT_DIR", "/nonexistent")
	testenv.GitIsolate(t)
	if v, ok := os.LookupEnv("GIT_DIR"); ok {
		t.Fatalf("GIT_DIR still set to %q", v)
	}
	if os.Getenv("GIT_CONFIG_NOSYSTEM") != "1" || !strings.HasPrefix(os.Getenv("GIT_AUTHOR_EMAIL"), "testgitisolate@") {
		t.Fatalf("isolation env not applied: %v", os.Environ())
	}
}
