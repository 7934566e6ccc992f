package kubernetes

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/check/yamlscan"
)

var wantMarker = regexp.MustCompile(`# want ((?:FERRY-[A-Z0-9]+-\d+\s*)+)`)

// expected reads `# want RULE…` markers: the exact set of rule@line hits a
// fixture must produce.
func expected(src string) []string {
	var out []string
	for i, line := range strings.Split(src, "\n") {
		if m := wantMarker.FindStringSubmatch(line); m != nil {
			for _, id := range strings.Fields(m[1]) {
				out = append(out, fmt.Sprintf("%s@%d", id, i+1))
			}
		}
	}
	sort.Strings(out)
	return out
}

func run(t *testing.T, file string) (got, want []string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	docs, fs := yamlscan.Parse(file, data)
	if len(fs) != 0 {
		t.Fatalf("fixture does not parse: %+v", fs)
	}
	for _, d := range docs {
		for _, f := range Check(d) {
			got = append(got, fmt.Sprintf("%s@%d", f.RuleID, f.Location.Line))
			if f.Resource == "" || f.Message == "" || f.Enclosing == nil {
				t.Errorf("incomplete finding %+v", f)
			}
		}
	}
	sort.Strings(got)
	return got, expected(string(data))
}

// TestRuleFixtures: every rule fires exactly at the marked lines of its
// failing fixtures (and no other rule fires there), and nothing fires on
// passing fixtures, which are hardened workloads.
func TestRuleFixtures(t *testing.T) {
	t.Parallel()
	for _, r := range Rules() {
		for _, kind := range []string{"fail", "pass"} {
			files, _ := filepath.Glob(filepath.Join("testdata", r.ID, kind, "*.yaml"))
			if len(files) == 0 {
				t.Errorf("%s has no %s fixture", r.ID, kind)
			}
			for _, file := range files {
				t.Run(r.ID+"/"+kind+"/"+filepath.Base(file), func(t *testing.T) {
					t.Parallel()
					got, want := run(t, file)
					if kind == "fail" && !strings.Contains(strings.Join(want, " "), r.ID+"@") {
						t.Fatalf("fixture has no `# want %s` marker", r.ID)
					}
					if strings.Join(got, " ") != strings.Join(want, " ") {
						t.Errorf("hits = %v\nwant   %v", got, want)
					}
				})
			}
		}
	}
	extra, _ := filepath.Glob(filepath.Join("testdata", "FERRY-K8S-000", "pass", "*.yaml"))
	for _, file := range extra {
		got, _ := run(t, file)
		if len(got) != 0 {
			t.Errorf("%s: hardened workload has findings %v", file, got)
		}
	}
}

func TestRuleMetadata(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.ID] || r.Title == "" || r.Rationale == "" || r.Remediation == "" || r.Domain != "kubernetes" {
			t.Errorf("bad or duplicate rule %+v", r)
		}
		seen[r.ID] = true
		for _, id := range r.TrivyIDs {
			if !regexp.MustCompile(`^KSV(\d{3}|-\d{4})$`).MatchString(id) {
				t.Errorf("%s: trivy ID %q", r.ID, id)
			}
		}
		for _, id := range r.CheckovIDs {
			if !regexp.MustCompile(`^CKV_K8S_\d+$`).MatchString(id) {
				t.Errorf("%s: checkov ID %q", r.ID, id)
			}
		}
	}
	if len(seen) < 15 {
		t.Errorf("only %d rules", len(seen))
	}
}

func TestImageTag(t *testing.T) {
	t.Parallel()
	for img, tag := range map[string]string{
		"nginx": "", "nginx:1.25": "1.25", "localhost:5000/a/b": "", "localhost:5000/a/b:v1": "v1", "ghcr.io/x/y:latest": "latest",
	} {
		if got := imageTag(img); got != tag {
			t.Errorf("imageTag(%q) = %q, want %q", img, got, tag)
		}
	}
}

func TestSecretNeverEchoed(t *testing.T) {
	t.Parallel()
	src := "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n  containers:\n  - name: a\n    image: a:1\n    env:\n    - name: API_KEY\n      value: sk_live_abcdef1234567890\n"
	docs, _ := yamlscan.Parse("p.yaml", []byte(src))
	for _, f := range Check(docs[0]) {
		if strings.Contains(f.Message, "sk_live") {
			t.Fatalf("secret echoed: %s", f.Message)
		}
	}
}
