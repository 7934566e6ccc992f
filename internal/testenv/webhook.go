package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// pushHookProviders are the header sets InstallPushHook can send.
var pushHookProviders = []string{"github", "gitlab", "gitea", "bitbucket", "generic"}

// InstallPushHook writes hooks/post-receive into the bare repository at bareDir. On every push
// it POSTs, for each updated ref, a GitHub-style push payload {"ref": REF, "before": OLD, "after": NEW,
// "repository": {"full_name": NAME}} to url with X-GitHub-Event: push, X-GitHub-Delivery: <unique id>,
// X-Hub-Signature-256: sha256=<hmac of the body with secret>. provider selects the header set:
// "github", "gitlab", "gitea", "generic" (and "bitbucket").
//
// NAME is bareDir's base name without ".git". For "gitlab" the payload also
// has object_kind and project.path_with_namespace and the secret goes in
// X-Gitlab-Token; for "bitbucket" it is a repo:refs_changed payload with
// changes[].ref.id. Each provider gets its own signature, event and delivery
// headers, as the webhook package's receivers expect.
//
// The hook runs the pushhook helper (internal/testenv/pushhook), built once
// per test process, with the secret in a 0600 file rather than on its
// command line. It posts synchronously, so the push returns after the
// delivery was answered, with a 5 s timeout; a failed delivery prints to the
// push's stderr and does not fail the push.
func InstallPushHook(t testing.TB, bareDir, url, provider string, secret []byte) {
	t.Helper()
	if !slices.Contains(pushHookProviders, provider) {
		t.Fatalf("testenv: install push hook: unknown provider %q (want one of %v)", provider, pushHookProviders)
	}
	bin := pushHookBinary(t)
	secretFile := filepath.Join(t.TempDir(), "webhook-secret")
	if err := os.WriteFile(secretFile, secret, 0o600); err != nil {
		t.Fatalf("testenv: write webhook secret: %v", err)
	}
	name := strings.TrimSuffix(filepath.Base(bareDir), ".git")
	script := "#!/bin/sh\n# Installed by testenv.InstallPushHook.\nexec " + strings.Join([]string{
		shellQuote(bin), "--url", shellQuote(url), "--provider", provider,
		"--secret-file", shellQuote(secretFile), "--repo", shellQuote(name),
	}, " ") + "\n"
	hooks := filepath.Join(bareDir, "hooks")
	if err := os.MkdirAll(hooks, 0o755); err != nil {
		t.Fatalf("testenv: install push hook: %v", err)
	}
	if err := os.WriteFile(filepath.Join(hooks, "post-receive"), []byte(script), 0o755); err != nil {
		t.Fatalf("testenv: install push hook: %v", err)
	}
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

var pushHook struct {
	once sync.Once
	path string
	err  error
}

// pushHookBinary builds internal/testenv/pushhook once per test process
// into a directory named for the process (ferry-pushhook-<pid>-*), which the
// next process to build it removes once this one has exited.
func pushHookBinary(t testing.TB) string {
	t.Helper()
	goBin := Require(t, "go") // go test puts its GOROOT/bin first on PATH
	pushHook.once.Do(func() { pushHook.path, pushHook.err = buildPushHook(goBin) })
	if pushHook.err != nil {
		t.Fatalf("testenv: %v", pushHook.err)
	}
	return pushHook.path
}

func buildPushHook(goBin string) (string, error) {
	sweepStale(os.TempDir(), "pushhook")
	dir, err := ownedTempDir(os.TempDir(), "pushhook")
	if err != nil {
		return "", fmt.Errorf("build pushhook: %w", err)
	}
	bin := filepath.Join(dir, "pushhook")
	if err := GoBuild(goBin, "ferry.dev/ferry/internal/testenv/pushhook", bin); err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("build pushhook: %w", err)
	}
	return bin, nil
}
