package tfscantest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan"
	"ferry.dev/ferry/internal/platform"
)

var wantRE = regexp.MustCompile(`#\s*want(-next)?\s+([A-Z0-9,\- ]+)`)

// Expected reads the `# want RULE-ID[, RULE-ID]` annotations of a file as
// "line RULE-ID" strings; `# want-next` annotates the next line.
func Expected(src []byte) []string {
	var out []string
	for i, line := range strings.Split(string(src), "\n") {
		m := wantRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n := i + 1
		if m[1] != "" {
			n++ // "# want-next" annotates the following line (e.g. a heredoc)
		}
		for _, id := range strings.FieldsFunc(m[2], func(r rune) bool { return r == ',' || r == ' ' }) {
			out = append(out, fmt.Sprintf("%d %s", n, id))
		}
	}
	sort.Strings(out)
	return out
}

// Got renders findings as "line RULE-ID" strings.
func Got(fs []check.Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%d %s", f.Location.Line, f.RuleID))
	}
	sort.Strings(out)
	return out
}

// Run checks every fixture under dir (testdata/<RULE-ID>/{fail,pass}/*.tf):
// each file is scanned alone with settings, and its findings must be
// exactly its annotations. A fail fixture must expect its rule at least
// once; a pass fixture must not expect it. Every ID in ruleIDs must have
// both kinds of fixture.
func Run(t *testing.T, dir string, ruleIDs []string, settings platform.Checks) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read fixtures: %v", err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		id := e.Name()
		if !slices.Contains(ruleIDs, id) {
			t.Errorf("fixture directory %s names no rule of this package", id)
			continue
		}
		for _, kind := range []string{"fail", "pass"} {
			files, _ := filepath.Glob(filepath.Join(dir, id, kind, "*.tf"))
			if len(files) > 0 {
				seen[id+"/"+kind] = true
			}
			for _, f := range files {
				t.Run(id+"/"+kind+"/"+filepath.Base(f), func(t *testing.T) {
					t.Parallel()
					runOne(t, f, id, kind, settings)
				})
			}
		}
	}
	for _, id := range ruleIDs {
		for _, kind := range []string{"fail", "pass"} {
			if !seen[id+"/"+kind] {
				t.Errorf("rule %s has no %s fixture", id, kind)
			}
		}
	}
}

func runOne(t *testing.T, path, id, kind string, settings platform.Checks) {
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Expected(src)
	mentions := slices.ContainsFunc(want, func(w string) bool { return strings.HasSuffix(w, " "+id) })
	if kind == "fail" && !mentions {
		t.Fatalf("fail fixture expects no %s finding", id)
	}
	if kind == "pass" && mentions {
		t.Fatalf("pass fixture expects a %s finding", id)
	}
	fs, err := tfscan.Scan(context.Background(), tfscan.Request{Root: filepath.Dir(path),
		Files: []string{filepath.Base(path)}, Env: "test", Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	if got := Got(fs); !slices.Equal(got, want) {
		t.Errorf("findings (line rule):\n got  %v\n want %v", got, want)
		for _, f := range fs {
			t.Logf("  %s line %d: %s (%s)", f.RuleID, f.Location.Line, f.Message, f.Resource)
		}
	}
}
