package git

import (
	"path"
	"strings"
	"testing"
)

// FuzzCleanRepoPath checks the path check of ReadFile/TreeWithFile never
// panics and never accepts a path that leaves the repository or enters .git.
func FuzzCleanRepoPath(f *testing.F) {
	for _, s := range []string{"CHANGELOG.md", "docs/CHANGELOG.md", "../x", "/etc/passwd", ".git/config", "a/../../b", "./a", "a//b", "", "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		c, err := cleanRepoPath(p)
		if err != nil {
			return
		}
		if c == "" || path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") || c == ".git" || strings.HasPrefix(c, ".git/") || path.Clean(c) != c {
			t.Fatalf("cleanRepoPath(%q) = %q, accepted", p, c)
		}
	})
}
