package scan

import (
	"os"
	"path/filepath"
	"testing"

	"ferry.dev/ferry/internal/check"
)

// TestReadRefusals covers what the walk cannot produce as root: a file that
// vanished or cannot be opened, and a file swapped for a symlink after the
// walk listed it (O_NOFOLLOW refuses it).
func TestReadRefusals(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "secret.yaml")
	if err := os.WriteFile(target, []byte("a: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, "swapped.yaml")); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"vanished.yaml", "swapped.yaml"} {
		data, f := read(dir, rel)
		if data != nil || f == nil || f.RuleID != check.RuleFileSkipped || f.Location.File != rel {
			t.Errorf("read(%s) = %q, %+v", rel, data, f)
		}
	}
}

func TestExcluded(t *testing.T) {
	t.Parallel()
	globs := []string{"vendor", "apps/*/generated", "*.tfvars.json"}
	for rel, want := range map[string]bool{
		"vendor/x/a.yaml": true, "apps/web/generated/a.yaml": true, "a.tfvars.json": true,
		"apps/web/base/a.yaml": false, "vendored/a.yaml": false,
	} {
		if got := excluded(rel, globs); got != want {
			t.Errorf("excluded(%s) = %v, want %v", rel, got, want)
		}
	}
}
