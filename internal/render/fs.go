package render

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// confinedFS is the on-disk filesystem restricted to one directory tree:
// reads outside it fail and writes always fail. kustomize builds through it,
// so a kustomization cannot read /etc/passwd or another checkout through a
// relative path or a symlink.
type confinedFS struct {
	disk filesys.FileSystem
	root string
}

func newConfinedFS(root string) filesys.FileSystem {
	return confinedFS{disk: filesys.MakeFsOnDisk(), root: root}
}

func unconfinedFS() filesys.FileSystem { return filesys.MakeFsOnDisk() }

// check resolves p (following symlinks where it exists) and fails when it
// leaves the root.
func (c confinedFS) check(p string) error {
	abs, err := filepath.Abs(p)
	if err != nil {
		return err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	if abs != c.root && !strings.HasPrefix(abs, c.root+string(os.PathSeparator)) {
		return fmt.Errorf("%w: %s", ErrOutsideRepo, p)
	}
	return nil
}

var errReadOnly = fmt.Errorf("render filesystem is read-only")

func (c confinedFS) Create(string) (filesys.File, error) { return nil, errReadOnly }
func (c confinedFS) Mkdir(string) error                  { return errReadOnly }
func (c confinedFS) MkdirAll(string) error               { return errReadOnly }
func (c confinedFS) RemoveAll(string) error              { return errReadOnly }
func (c confinedFS) WriteFile(string, []byte) error      { return errReadOnly }

func (c confinedFS) Open(p string) (filesys.File, error) {
	if err := c.check(p); err != nil {
		return nil, err
	}
	return c.disk.Open(p)
}

func (c confinedFS) IsDir(p string) bool { return c.check(p) == nil && c.disk.IsDir(p) }

func (c confinedFS) ReadDir(p string) ([]string, error) {
	if err := c.check(p); err != nil {
		return nil, err
	}
	return c.disk.ReadDir(p)
}

func (c confinedFS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	if err := c.check(p); err != nil {
		return "", "", err
	}
	return c.disk.CleanedAbs(p)
}

func (c confinedFS) Exists(p string) bool { return c.check(p) == nil && c.disk.Exists(p) }

func (c confinedFS) Glob(pattern string) ([]string, error) {
	all, err := c.disk.Glob(pattern)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range all {
		if c.check(p) == nil {
			out = append(out, p)
		}
	}
	return out, nil
}

func (c confinedFS) ReadFile(p string) ([]byte, error) {
	if err := c.check(p); err != nil {
		return nil, err
	}
	return c.disk.ReadFile(p)
}

func (c confinedFS) Walk(p string, fn filepath.WalkFunc) error {
	if err := c.check(p); err != nil {
		return err
	}
	return c.disk.Walk(p, func(path string, info os.FileInfo, err error) error {
		if cerr := c.check(path); cerr != nil {
			return cerr
		}
		return fn(path, info, err)
	})
}
