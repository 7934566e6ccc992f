package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/scan"
)

// TestRulesDocUpToDate fails when docs/rules.md is not what the registry
// generates: a rule was added, removed or changed without regenerating.
func TestRulesDocUpToDate(t *testing.T) {
	reg, err := scan.Registry()
	if err != nil {
		t.Fatal(err)
	}
	want := Render(reg.Rules())
	path := filepath.Join("..", "..", filepath.FromSlash(DefaultOut))
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v (generate it: go run ./hack/gendocs)", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date with the check registry (%s); regenerate it from the repository root: go run ./hack/gendocs",
			DefaultOut, firstDiff(got, want))
	}
}

// TestRenderListsEveryRule checks the page names each registered rule once
// as a heading, with its severity and every trivy and checkov ID.
func TestRenderListsEveryRule(t *testing.T) {
	reg, err := scan.Registry()
	if err != nil {
		t.Fatal(err)
	}
	page := string(Render(reg.Rules()))
	if n := strings.Count(page, "\n### "); n != reg.Len() {
		t.Errorf("page has %d rule headings, registry has %d rules", n, reg.Len())
	}
	for _, r := range reg.Rules() {
		sec := section(page, r.ID)
		if sec == "" {
			t.Errorf("%s: no section", r.ID)
			continue
		}
		if !strings.Contains(sec, "severity **"+string(r.Severity)+"**") {
			t.Errorf("%s: severity %s not shown", r.ID, r.Severity)
		}
		for _, id := range append(append([]string{}, r.TrivyIDs...), r.CheckovIDs...) {
			if !strings.Contains(sec, "`"+id+"`") {
				t.Errorf("%s: peer ID %s not shown", r.ID, id)
			}
		}
	}
}

func TestRenderDomains(t *testing.T) {
	t.Parallel()
	rules := []check.Rule{
		{ID: "X-2", Domain: "zeta", Severity: "low", Title: "a | b", Rationale: "use <prefix>\nname", Remediation: "r"},
		{ID: "X-1", Domain: "aws", Severity: "high", Title: "t", Rationale: "r", Remediation: "r", TrivyIDs: []string{"AVD-1"}},
	}
	page := string(Render(rules))
	tests := []struct {
		name, want string
	}{
		{"known domain first", "| [aws](#aws) | 1 |\n| [zeta](#zeta) | 1 |"},
		{"pipe escaped in table", `| [X-2](#x-2) | low | a \| b |`},
		{"angle brackets escaped, newline folded", "- Why: use &lt;prefix&gt; name\n"},
		{"trivy id", "- trivy: `AVD-1`\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(page, tc.want) {
				t.Errorf("page lacks %q:\n%s", tc.want, page)
			}
		})
	}
	if strings.Index(page, "## aws") > strings.Index(page, "## zeta") {
		t.Error("unlisted domain zeta comes before aws")
	}
}

// section is the text of the rule's "### ID" section.
func section(page, id string) string {
	i := strings.Index(page, "\n### "+id+"\n")
	if i < 0 {
		return ""
	}
	rest := page[i+1:]
	if j := strings.Index(rest[1:], "\n#"); j >= 0 {
		return rest[:j+1]
	}
	return rest
}

// firstDiff names the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d: have %q, want %q", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("have %d lines, want %d", len(g), len(w))
}
