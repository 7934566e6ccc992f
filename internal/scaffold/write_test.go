package scaffold

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	reference "ferry.dev/ferry/examples/platform"
)

func TestWrite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		prepare func(t *testing.T, dir string) // nil: dir does not exist
		force   bool
		wantErr error
		keep    string // a pre-existing file that must survive
	}{
		{name: "missing dir is created"},
		{name: "empty dir", prepare: func(t *testing.T, dir string) { mkdir(t, dir) }},
		{name: "non-empty dir refused", prepare: withFile("notes.txt", "mine"), wantErr: ErrNotEmpty, keep: "notes.txt"},
		{name: "hidden file counts", prepare: withFile(".env", "X=1"), wantErr: ErrNotEmpty, keep: ".env"},
		{name: "force keeps other files", prepare: withFile("notes.txt", "mine"), force: true, keep: "notes.txt"},
		{name: "force overwrites reference files", prepare: withFile("ferry.yaml", "garbage"), force: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "p")
			if tc.prepare != nil {
				tc.prepare(t, dir)
			}
			err := Write(dir, tc.force)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Write = %v, want %v", err, tc.wantErr)
				}
				if _, err := os.Stat(filepath.Join(dir, "ferry.yaml")); !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("refused Write still wrote ferry.yaml (stat: %v)", err)
				}
			} else if err != nil {
				t.Fatalf("Write: %v", err)
			} else {
				assertTree(t, dir)
			}
			if tc.keep != "" {
				if _, err := os.Stat(filepath.Join(dir, tc.keep)); err != nil {
					t.Fatalf("pre-existing %s is gone: %v", tc.keep, err)
				}
			}
		})
	}
}

// assertTree checks that dir holds every embedded file with its exact bytes.
func assertTree(t *testing.T, dir string) {
	t.Helper()
	files, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 50 {
		t.Fatalf("only %d reference files embedded", len(files))
	}
	for _, f := range files {
		want, err := fs.ReadFile(reference.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			t.Fatalf("missing %s: %v", f, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s differs from the embedded file", f)
		}
	}
	fi, err := os.Stat(filepath.Join(dir, ".devcontainer", "post-create.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&0o111 == 0 {
		t.Errorf("post-create.sh mode %v, want executable", fi.Mode())
	}
}

func TestWriteNeverLeavesDir(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		link string // entry in dir that is a symlink to outside
	}{
		{name: "file symlink", link: "ferry.yaml"},
		{name: "dir symlink", link: "apps"},
		{name: "nested dir symlink", link: "infra"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			base := t.TempDir()
			outside := filepath.Join(base, "outside")
			mkdir(t, outside)
			target := filepath.Join(outside, "target")
			if err := os.WriteFile(target, []byte("precious"), 0o644); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(base, "p")
			mkdir(t, dir)
			dest := outside
			if tc.link == "ferry.yaml" {
				dest = target
			}
			if err := os.Symlink(dest, filepath.Join(dir, tc.link)); err != nil {
				t.Fatal(err)
			}
			if err := Write(dir, true); err == nil {
				t.Fatal("Write through a symlink leaving dir succeeded")
			}
			got, _ := os.ReadFile(target)
			if string(got) != "precious" {
				t.Fatalf("file outside dir changed to %q", got)
			}
			entries, _ := os.ReadDir(outside)
			if len(entries) != 1 {
				t.Fatalf("Write created %d entries outside dir", len(entries)-1)
			}
		})
	}
}

func TestNotEmptyErrorIsConfigError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	withFile("x", "y")(t, dir)
	err := Write(dir, false)
	var ne *NotEmptyError
	if !errors.As(err, &ne) || !ne.ConfigError() || ne.Entry != "x" || ne.Hint() == "" {
		t.Fatalf("Write = %#v, want *NotEmptyError naming x with a hint", err)
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func withFile(name, content string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		mkdir(t, dir)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
