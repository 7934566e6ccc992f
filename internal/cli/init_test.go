package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// isolateGitForInit gives git an empty HOME and a global config with one
// identity, so the developer's config never leaks in. Uses t.Setenv.
func isolateGitForInit(t *testing.T) {
	t.Helper()
	home := t.TempDir()
	cfg := filepath.Join(home, "gitconfig")
	if err := os.WriteFile(cfg, []byte("[user]\n\tname = Init Test\n\temail = init@example.test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "GIT_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	t.Setenv("HOME", home)
	t.Setenv("GIT_CONFIG_GLOBAL", cfg)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
}

// runInit runs ferry in-process and returns exit code, stdout, stderr.
func runInit(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errw bytes.Buffer
	code = Run(context.Background(), args, Streams{In: strings.NewReader(""), Out: &out, Err: &errw})
	return code, out.String(), errw.String()
}

func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

func TestInitText(t *testing.T) {
	isolateGitForInit(t)
	dir := filepath.Join(t.TempDir(), "platform")
	code, out, errOut := runInit(t, "init", dir)
	if code != ExitOK {
		t.Fatalf("ferry init exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	commit := gitIn(t, dir, "rev-parse", "main")
	want := "path    " + dir + "\n" +
		"commit  " + commit + " (main)\n" +
		"lanes   develop, staging, main, release\n" +
		"tag     v0.1.0\n"
	if out != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
	if !strings.Contains(errOut, "Writing the reference platform") {
		t.Errorf("no progress on stderr:\n%s", errOut)
	}
	for _, lane := range []string{"develop", "staging", "release"} {
		if got := gitIn(t, dir, "rev-parse", lane); got != commit {
			t.Errorf("lane %s at %s, want %s", lane, got, commit)
		}
	}
	if got := gitIn(t, dir, "cat-file", "-t", "v0.1.0"); got != "tag" {
		t.Errorf("v0.1.0 is a %s, want an annotated tag", got)
	}
	if got := gitIn(t, dir, "status", "--porcelain"); got != "" {
		t.Errorf("work tree not clean:\n%s", got)
	}
	// The new repository is a valid platform for the rest of ferry.
	if code, out, errOut := runInit(t, "--repo", dir, "config", "check"); code != ExitOK {
		t.Errorf("ferry config check on the new platform: exit %d\n%s%s", code, out, errOut)
	}
}

func TestInitJSON(t *testing.T) {
	isolateGitForInit(t)
	dir := filepath.Join(t.TempDir(), "platform")
	code, out, errOut := runInit(t, "init", dir, "-o", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	keys := []string{"branch", "commit", "files", "lanes", "path", "tag"}
	if len(got) != len(keys) {
		t.Errorf("JSON keys %v, want exactly %v", got, keys)
	}
	if got["path"] != dir || got["tag"] != "v0.1.0" || got["branch"] != "main" || got["commit"] != gitIn(t, dir, "rev-parse", "main") {
		t.Errorf("JSON %v", got)
	}
	if lanes, _ := got["lanes"].([]any); len(lanes) != 4 || lanes[0] != "develop" || lanes[3] != "release" {
		t.Errorf("lanes %v", got["lanes"])
	}
	if n, _ := got["files"].(float64); int(n) != strings.Count(gitIn(t, dir, "ls-files"), "\n")+1 {
		t.Errorf("files %v, want the number of committed files", got["files"])
	}
}

func TestInitRefusals(t *testing.T) {
	isolateGitForInit(t)
	nonEmpty := t.TempDir()
	if err := os.WriteFile(filepath.Join(nonEmpty, "keep.txt"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(t.TempDir(), "repo")
	if code, _, errOut := runInit(t, "init", repo); code != ExitOK {
		t.Fatalf("setup init: %s", errOut)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"non-empty dir", []string{"init", nonEmpty}, ExitUsage, "directory is not empty"},
		{"existing repository even with force", []string{"init", repo, "--force"}, ExitUsage, "already a git repository"},
		{"no dir", []string{"init"}, ExitUsage, "takes 1 argument"},
		{"two dirs", []string{"init", "a", "b"}, ExitUsage, "takes 1 argument"},
		{"empty dir name", []string{"init", " "}, ExitUsage, "empty name"},
		{"unknown flag", []string{"init", nonEmpty, "--forse"}, ExitUsage, "unknown flag"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runInit(t, tc.args...)
			if code != tc.wantCode || !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, errOut, tc.wantCode, tc.wantErr)
			}
			if out != "" {
				t.Errorf("stdout not empty on error:\n%s", out)
			}
		})
	}
	if _, _, errOut := runInit(t, "init", nonEmpty); !strings.Contains(errOut, "Try: ferry init "+nonEmpty+" --force") {
		t.Errorf("no --force hint:\n%s", errOut)
	}
	if _, err := os.Stat(filepath.Join(nonEmpty, "ferry.yaml")); !os.IsNotExist(err) {
		t.Errorf("refused init wrote ferry.yaml (stat: %v)", err)
	}
}

func TestInitForce(t *testing.T) {
	isolateGitForInit(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runInit(t, "init", dir, "--force")
	if code != ExitOK {
		t.Fatalf("ferry init --force: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, "tag     v0.1.0\n") {
		t.Errorf("stdout:\n%s", out)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "keep.txt")); string(got) != "mine\n" {
		t.Errorf("existing file changed: %q", got)
	}
	if got := gitIn(t, dir, "status", "--porcelain"); got != "" {
		t.Errorf("work tree not clean:\n%s", got)
	}
}
