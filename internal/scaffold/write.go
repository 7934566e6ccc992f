package scaffold

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"

	reference "ferry.dev/ferry/examples/platform"
)

// Write copies the reference platform into dir, creating dir if needed. A
// dir that already has entries is refused with a *NotEmptyError unless force
// is set; with force, reference files overwrite existing ones and other
// files stay. Every file is created through an os.Root opened on dir, so no
// path or symbolic link can make Write create or change anything outside it.
func Write(dir string, force bool) error {
	return writeFS(dir, reference.FS, force)
}

// Files lists the reference platform's files (slash-separated, sorted).
func Files() ([]string, error) {
	var files []string
	err := fs.WalkDir(reference.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list reference files: %w", err)
	}
	return files, nil
}

func writeFS(dir string, src fs.FS, force bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write platform to %s: %w", dir, err)
	}
	if !force {
		if entry, err := firstEntry(dir); err != nil {
			return fmt.Errorf("write platform to %s: %w", dir, err)
		} else if entry != "" {
			return &NotEmptyError{Dir: dir, Entry: entry}
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("write platform to %s: %w", dir, err)
	}
	defer root.Close()
	err = fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == "." {
			return err
		}
		if d.IsDir() {
			return root.MkdirAll(p, 0o755)
		}
		return copyFile(root, src, p)
	})
	if err != nil {
		return fmt.Errorf("write platform to %s: %w", dir, err)
	}
	return nil
}

// copyFile writes one file; shell scripts are executable.
func copyFile(root *os.Root, src fs.FS, p string) error {
	data, err := fs.ReadFile(src, p)
	if err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	if path.Ext(p) == ".sh" {
		mode = 0o755
	}
	if err := root.WriteFile(p, data, mode); err != nil {
		return err
	}
	// WriteFile keeps the mode of a file it overwrites; set it explicitly.
	return root.Chmod(p, mode)
}

// firstEntry returns the name of one entry of dir, or "" if it is empty.
func firstEntry(dir string) (string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return "", err
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if errors.Is(err, io.EOF) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return names[0], nil
}
