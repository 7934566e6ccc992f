package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// gitHomes holds one isolated HOME per test, so every git command a test runs
// sees the same (empty) global config.
var gitHomes sync.Map // testing.TB -> string

// GitEnv returns the environment every git command of the test should run
// with: the process environment without any GIT_* variable, HOME and
// XDG_CONFIG_HOME in a temp dir (the user's config never leaks in),
// GIT_CONFIG_NOSYSTEM=1, no prompts, the C locale, and a per-test author and
// committer identity derived from the test name.
func GitEnv(t testing.TB) []string {
	t.Helper()
	home := gitHome(t)
	env := make([]string, 0, len(os.Environ())+12)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "GIT_"), k == "HOME", k == "XDG_CONFIG_HOME",
			k == "LANG", k == "LANGUAGE", strings.HasPrefix(k, "LC_"):
			continue
		}
		env = append(env, kv)
	}
	name, email := gitIdentity(t)
	return append(env,
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0",
		"LC_ALL=C",
		"GIT_AUTHOR_NAME="+name,
		"GIT_AUTHOR_EMAIL="+email,
		"GIT_COMMITTER_NAME="+name,
		"GIT_COMMITTER_EMAIL="+email,
	)
}

// GitIsolate applies GitEnv to the test process with t.Setenv, for code under
// test that runs git with the inherited environment. Like t.Setenv it cannot
// be used in parallel tests.
func GitIsolate(t testing.TB) {
	t.Helper()
	for _, kv := range GitEnv(t) {
		k, v, _ := strings.Cut(kv, "=")
		if os.Getenv(k) != v {
			setenv(t, k, v)
		}
	}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GIT_") && !gitEnvSets(k) {
			setenv(t, k, "")
			os.Unsetenv(k)
		}
	}
}

func setenv(t testing.TB, k, v string) {
	if s, ok := t.(interface{ Setenv(k, v string) }); ok {
		s.Setenv(k, v)
		return
	}
	t.Fatalf("testenv: %T cannot Setenv", t)
}

func gitEnvSets(k string) bool {
	switch k {
	case "GIT_CONFIG_NOSYSTEM", "GIT_TERMINAL_PROMPT", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL",
		"GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL":
		return true
	}
	return false
}

func gitHome(t testing.TB) string {
	if h, ok := gitHomes.Load(t); ok {
		return h.(string)
	}
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".config"), 0o755); err != nil {
		t.Fatalf("testenv: make git home: %v", err)
	}
	gitHomes.Store(t, home)
	t.Cleanup(func() { gitHomes.Delete(t) })
	return home
}

var nonWord = regexp.MustCompile(`[^a-zA-Z0-9]+`)

func gitIdentity(t testing.TB) (name, email string) {
	slug := strings.Trim(strings.ToLower(nonWord.ReplaceAllString(t.Name(), "-")), "-")
	if len(slug) > 50 {
		slug = slug[:50]
	}
	return "ferry test " + slug, slug + "@test.ferry.invalid"
}

// GitRun runs git with args in dir under GitEnv and returns its trimmed
// stdout. Any failure fails the test with git's stderr.
func GitRun(t testing.TB, dir string, args ...string) string {
	t.Helper()
	bin := Require(t, "git")
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = GitEnv(t)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("testenv: git %s (in %s): %v\n%s", strings.Join(args, " "), dir, err, stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// GitRemote creates an empty bare repository whose default branch is main and
// returns its directory.
func GitRemote(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "remote.git")
	GitRun(t, filepath.Dir(dir), "init", "--quiet", "--bare", "--initial-branch=main", dir)
	return dir
}

// GitClone clones remote into a fresh temp dir and returns the work tree.
func GitClone(t testing.TB, remote string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "clone")
	GitRun(t, filepath.Dir(dir), "clone", "--quiet", remote, dir)
	// An empty remote leaves HEAD on git's built-in default; pin it to main.
	if GitRun(t, dir, "branch", "--list") == "" {
		GitRun(t, dir, "symbolic-ref", "HEAD", "refs/heads/main")
	}
	return dir
}

// GitCommitFile writes content to path (relative to the work tree dir,
// parents created), commits it with msg and returns the new commit's SHA.
func GitCommitFile(t testing.TB, dir, path, content, msg string) string {
	t.Helper()
	full := filepath.Join(dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatalf("testenv: make dir for %s: %v", path, err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		t.Fatalf("testenv: write %s: %v", path, err)
	}
	GitRun(t, dir, "add", "--", path)
	GitRun(t, dir, "commit", "--quiet", "-m", msg)
	return GitRun(t, dir, "rev-parse", "HEAD")
}
