package platform

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// header is the first five lines of every test document; spec content
// starts on line 6.
const header = `apiVersion: ferry.dev/v1alpha1
kind: Platform
metadata:
  name: demo
spec:
`

// repo writes a fixture platform repository in a temp dir: ferry.yaml with
// doc, plus the given paths (a trailing "/" makes a directory, otherwise an
// empty file).
func repo(t *testing.T, doc string, paths ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range paths {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if strings.HasSuffix(p, "/") {
			mustMkdir(t, full)
			continue
		}
		mustMkdir(t, filepath.Dir(full))
		if err := os.WriteFile(full, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func mustMkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

// problems loads dir and returns its problems; it fails the test when the
// load error is not a *ConfigError.
func problems(t *testing.T, dir string) []Problem {
	t.Helper()
	_, err := Load(dir)
	if err == nil {
		return nil
	}
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("Load: want *ConfigError, got %T: %v", err, err)
	}
	return ce.Problems
}

// mustLoad loads dir and fails the test on any problem.
func mustLoad(t *testing.T, dir string) *Platform {
	t.Helper()
	p, err := Load(dir)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return p
}
