package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// goEnv is the Go build and module caches as the test process found them,
// read once before any test moves $HOME (GitIsolate does): a go build in
// a test then reuses the warm caches instead of compiling everything anew.
var goEnv = func() []string {
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		return nil
	}
	vals := strings.Split(strings.TrimSpace(string(out)), "\n")
	keys := []string{"GOCACHE", "GOMODCACHE", "GOPATH"}
	var env []string
	for i, v := range vals {
		if i < len(keys) && v != "" {
			env = append(env, keys[i]+"="+v)
		}
	}
	return env
}()

// BuildTags are the tags every build of ferry uses (the Makefile's too):
// kustomize_disable_go_plugin_support drops kustomize's loader of Go
// plugins, whose import of the plugin package makes the linker export
// every symbol — 43 MB more binary and 22 MB more RSS in every process —
// for a feature ferry never uses.
const BuildTags = "kustomize_disable_go_plugin_support"

// GoBuild builds pkg into out with the go binary goBin, in the repository
// root, on the warm caches, with BuildTags.
func GoBuild(goBin, pkg, out string) error {
	root, err := repoRoot()
	if err != nil {
		return fmt.Errorf("go build %s: %w", pkg, err)
	}
	cmd := exec.Command(goBin, "build", "-tags", BuildTags, "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), goEnv...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
	}
	return nil
}

var ferryBin struct {
	once      sync.Once
	dir, path string
	err       error
}

// FerryBinary builds cmd/ferry once per test process, with BuildTags, and
// returns its path (for tests that run ferry as an OS process). Run removes
// it when the tests end.
func FerryBinary(t testing.TB) string {
	t.Helper()
	goBin := Require(t, "go")
	ferryBin.once.Do(func() {
		if ferryBin.dir, ferryBin.err = os.MkdirTemp("", "ferry-bin-"); ferryBin.err != nil {
			return
		}
		ferryBin.path = filepath.Join(ferryBin.dir, "ferry")
		ferryBin.err = GoBuild(goBin, "ferry.dev/ferry/cmd/ferry", ferryBin.path)
	})
	if ferryBin.err != nil {
		t.Fatal(ferryBin.err)
	}
	return ferryBin.path
}
