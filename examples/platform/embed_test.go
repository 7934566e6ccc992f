package reference

import (
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
)

// TestEmbedComplete keeps the //go:embed patterns and the directory in step:
// every platform file on disk is embedded, and no Go file is.
func TestEmbedComplete(t *testing.T) {
	t.Parallel()
	var onDisk, embedded []string
	err := fs.WalkDir(os.DirFS("."), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".terraform" || d.Name() == ".ferry") {
			return fs.SkipDir
		}
		if !d.IsDir() && path.Ext(p) != ".go" {
			onDisk = append(onDisk, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			embedded = append(embedded, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range onDisk {
		if !slices.Contains(embedded, p) {
			t.Errorf("%s is in examples/platform but not embedded: add it to the //go:embed patterns", p)
		}
	}
	for _, p := range embedded {
		if path.Ext(p) == ".go" {
			t.Errorf("Go file %s is embedded into the platform", p)
		}
		// Local working data must never ship in the binary or reach a new repo.
		if strings.Contains("/"+p, "/.terraform/") || strings.Contains("/"+p, "/.ferry/") || strings.Contains(p, ".tfstate") {
			t.Errorf("local working data %s is embedded; delete it from examples/platform", p)
		}
	}
	for _, must := range []string{"ferry.yaml", ".gitignore", ".github/workflows/ferry.yml", ".devcontainer/devcontainer.json"} {
		if !slices.Contains(embedded, must) {
			t.Errorf("%s is not embedded", must)
		}
	}
}
