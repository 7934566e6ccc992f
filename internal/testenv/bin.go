package testenv

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// EnvBin names the variable that overrides where the built tools live.
const EnvBin = "FERRY_TEST_BIN"

// ErrNoRepoRoot means no go.mod was found above the working directory.
var ErrNoRepoRoot = errors.New("no go.mod above the working directory")

var (
	binDirOnce sync.Once
	binDir     string
	binDirErr  error
)

// BinDir returns the directory holding the tools hack/setup.sh builds:
// $FERRY_TEST_BIN when set, else <repo root>/bin, where the repo root is the
// nearest directory above the working directory that holds go.mod.
func BinDir() (string, error) {
	if d := os.Getenv(EnvBin); d != "" {
		return filepath.Abs(d)
	}
	binDirOnce.Do(func() {
		root, err := repoRoot()
		if err != nil {
			binDirErr = fmt.Errorf("locate bin dir: %w", err)
			return
		}
		binDir = filepath.Join(root, "bin")
	})
	return binDir, binDirErr
}

// repoRoot walks up from the working directory to the first go.mod. Nested
// modules (hack/tools) are not on the way up from ferry's own packages.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("get working dir: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoRepoRoot
		}
		dir = parent
	}
}

// ToolNotFoundError says a tool is missing and how to get it.
type ToolNotFoundError struct {
	Tool string
	How  string // how to get it
}

func (e *ToolNotFoundError) Error() string {
	return fmt.Sprintf("find tool %s: not in %s dir nor on PATH; %s", e.Tool, EnvBin, e.How)
}

// Hint says how to get the tool.
func (e *ToolNotFoundError) Hint() string { return e.How }

// howToGet tells where each tool comes from.
var howToGet = map[string]string{
	"terraform": "install Terraform >= 1.5 on PATH (make setup checks it)",
	"git":       "install git (Debian: apt-get install -y git)",
	"kubectl":   "install kubectl on PATH (only the benchmarks need it)",
}

// LookTool finds tool in BinDir, then on PATH.
func LookTool(tool string) (string, error) {
	if dir, err := BinDir(); err == nil {
		p := filepath.Join(dir, tool)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if p, err := exec.LookPath(tool); err == nil {
		return p, nil
	}
	how, ok := howToGet[tool]
	if !ok {
		how = "run `make setup` (hack/setup.sh) to install or build it"
	}
	return "", &ToolNotFoundError{Tool: tool, How: how}
}

// Require returns the path of tool. When it is missing the test is skipped,
// or fails with how to get the tool when CI=true: CI must never pass by
// skipping what it was meant to run.
func Require(t testing.TB, tool string) string {
	t.Helper()
	p, err := LookTool(tool)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("testenv: %v (CI=true: missing tools fail instead of skipping)", err)
	}
	t.Skipf("testenv: %v", err)
	return ""
}

// FreePort returns a TCP port that was free on 127.0.0.1 a moment ago.
// Another process may take it before the caller binds it; StartControlPlane
// retries with fresh ports when that happens.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
