package git

import (
	"context"
	"strings"
	"testing"
)

func TestParseGrep(t *testing.T) {
	t.Parallel()
	got := parseGrep("rev:apps/a.yaml\x0012\x00  # ferry:ignore X-1 why\nrev:bad\x00x\x00ferry:ignore\nrev:b.tf\x003\x00// ferry:ignore R-1 y\n", "rev:", "ferry:ignore")
	if len(got) != 2 || got[0] != (GrepMatch{File: "apps/a.yaml", Line: 12, Text: "  # ferry:ignore X-1 why"}) || got[1].File != "b.tf" || got[1].Line != 3 {
		t.Fatalf("parseGrep = %+v", got)
	}
}

func TestGrepFixedRepo(t *testing.T) {
	r, _ := newRepo(t)
	commitFile(t, r, "sub/x.yaml", "a: 1\n# ferry:ignore X-1 why\n", "chore: x")
	ctx := context.Background()
	ms, err := r.GrepFixed(ctx, "HEAD", "ferry:ignore")
	if err != nil || len(ms) != 1 || ms[0].File != "sub/x.yaml" || ms[0].Line != 2 {
		t.Fatalf("GrepFixed = %+v, %v", ms, err)
	}
	if ms, err := r.GrepFixed(ctx, "HEAD", "no such text"); err != nil || ms != nil {
		t.Fatalf("GrepFixed without a match = %+v, %v", ms, err)
	}
	for _, rev := range []string{"nosuchrev", "--all"} {
		if _, err := r.GrepFixed(ctx, rev, "x"); err == nil {
			t.Fatalf("GrepFixed of %q: no error", rev)
		}
	}
}

// FuzzParseGrep: no `git grep -z -n` output panics the parser; every match
// has a file, a positive line and the string.
func FuzzParseGrep(f *testing.F) {
	for _, s := range []string{"", "rev:a.yaml\x0012\x00  # ferry:ignore X-1 why\n", "rev:a\x00x\x00ferry:ignore\n",
		"rev:\x001\x00ferry:ignore", "rev:b/c.tf\x000\x00ferry:ignore", "no separators\n", "rev:d\x00-3\x00ferry:ignore\nrev:e\x007\x00// ferry:ignore R-1 x\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, out string) {
		for _, m := range parseGrep(out, "rev:", "ferry:ignore") {
			if m.File == "" || m.Line <= 0 || !strings.Contains(m.Text, "ferry:ignore") {
				t.Fatalf("parseGrep(%q) returned %+v", out, m)
			}
		}
	})
}
