package scan

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/platform"
)

// MaxFileSize is the largest file the pipeline reads.
const MaxFileSize = 10 << 20

// skipDirs are never descended into: VCS data, ferry's state, Terraform's
// downloaded providers and modules, dependency caches.
var skipDirs = map[string]bool{".git": true, ".ferry": true, ".terraform": true, "node_modules": true}

// file is one readable text file of the tree.
type file struct {
	rel  string // slash path relative to the root
	data []byte
}

// configExt are the files whose content the pipeline parses; problems with
// them are reported, other files are only searched for secrets.
func configExt(rel string) bool {
	switch strings.ToLower(path.Ext(rel)) {
	case ".tf", ".tfvars", ".yaml", ".yml", ".json", ".rego":
		return true
	}
	return false
}

func isYAML(rel string) bool {
	e := strings.ToLower(path.Ext(rel))
	return e == ".yaml" || e == ".yml"
}

// walk lists regular files under root. Symlinks are never followed; one
// pointing outside the root is reported. Excluded globs match the slash
// path or any of its parent directories.
func walk(root string, exclude []string) ([]string, []check.Finding, error) {
	var files []string
	var out []check.Finding
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		rel := relSlash(root, p)
		if err != nil {
			if p == root {
				return err
			}
			out = append(out, skipped(rel, "cannot be read"))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p != root && excluded(rel, exclude) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir():
			if p != root && skipDirs[d.Name()] {
				return fs.SkipDir
			}
		case d.Type()&fs.ModeSymlink != 0:
			if outside(root, p) {
				out = append(out, skipped(rel, "is a symlink pointing outside the repository; not followed"))
			}
		case d.Type().IsRegular():
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("walk %s: %w", root, err)
	}
	return files, out, nil
}

func relSlash(root, p string) string {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(rel)
}

func excluded(rel string, globs []string) bool {
	for _, g := range globs {
		for p := rel; p != "." && p != "/" && p != ""; p = path.Dir(p) {
			if ok, _ := path.Match(strings.TrimSuffix(g, "/"), p); ok {
				return true
			}
		}
	}
	return false
}

// outside reports whether a symlink resolves outside root (or cannot be
// resolved at all, in which case nothing is read either).
func outside(root, p string) bool {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return false
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return true
	}
	rel, err := filepath.Rel(realRoot, target)
	return err != nil || rel == ".." || strings.HasPrefix(rel, "../")
}

func skipped(rel, why string) check.Finding {
	return check.Finding{RuleID: check.RuleFileSkipped, Severity: platform.SeverityLow,
		Message: rel + " " + why, Location: check.Location{File: rel}}
}

// read loads one file with the safety checks: size, binary content and
// UTF-8 (for configuration files). It returns nil data when the file is
// not to be scanned, with a finding when the user should know.
func read(root, rel string) ([]byte, *check.Finding) {
	p := filepath.Join(root, filepath.FromSlash(rel))
	info, err := os.Lstat(p)
	if err != nil {
		f := skipped(rel, "cannot be read")
		return nil, &f
	}
	if info.Size() > MaxFileSize {
		if !configExt(rel) {
			return nil, nil
		}
		f := skipped(rel, fmt.Sprintf("is larger than %d MB; not scanned", MaxFileSize>>20))
		return nil, &f
	}
	data, err := readNoFollow(p)
	if err != nil {
		f := skipped(rel, "cannot be read")
		return nil, &f
	}
	head := data[:min(len(data), 8000)]
	if bytes.IndexByte(head, 0) >= 0 {
		if !configExt(rel) {
			return nil, nil
		}
		f := skipped(rel, "is binary; not scanned")
		return nil, &f
	}
	if configExt(rel) && !utf8.Valid(data) {
		f := skipped(rel, "is not valid UTF-8; not scanned")
		return nil, &f
	}
	return data, nil
}

// readNoFollow reads a regular file, refusing one swapped for a symlink
// between the walk and the read.
func readNoFollow(p string) ([]byte, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(ioLimit(f, MaxFileSize)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
