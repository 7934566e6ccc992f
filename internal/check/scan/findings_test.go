package scan

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/store"
)

// TestCheckRunFindingsRecorded: a run's findings are recorded with the
// run, most severe first, each with its rule's doc link, and the secrets
// the secret rules found appear nowhere in the stored record.
func TestCheckRunFindingsRecorded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	secrets := []string{"AKIAZ7QHJ4K2LMN3OPQR", "ghp_4dQv9XbT2mL7kR1sW8yZ3nP6cF0hJ5gE2aVq"}
	write(t, dir, "infra/main.tf", "locals {\n  key   = \""+secrets[0]+"\"\n  token = \""+secrets[1]+"\"\n}\n")
	write(t, dir, "infra/ugly.tf", "locals {\nx=1\n}\n")
	write(t, dir, "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n  containers:\n    - name: a\n      image: a:1\n      securityContext: {privileged: true}\n")
	res, err := Run(ctx, Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	run := res.CheckRun("r1", "", "", time.Now())
	if run.FindingsTotal != len(res.Findings) || len(run.Findings) != len(res.Findings) || len(run.Findings) < 4 {
		t.Fatalf("run has %d findings (total %d) of the result's %d", len(run.Findings), run.FindingsTotal, len(res.Findings))
	}
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, err := st.RecordCheckRun(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.CheckRun(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(got)
	for _, s := range secrets {
		if strings.Contains(string(raw), s) || strings.Contains(string(raw), s[4:]) {
			t.Errorf("the stored check run holds a secret: %s", raw)
		}
	}
	rules := map[string]bool{}
	for i, f := range got.Findings {
		rules[f.Rule] = true
		if f.Doc == "" || f.File == "" || f.Message == "" || f.Severity == "" {
			t.Errorf("finding %d lacks a field: %+v", i, f)
		}
		if i > 0 && f.Suppressed == "" && check.SeverityRank(check.Severity(f.Severity)) > check.SeverityRank(check.Severity(got.Findings[i-1].Severity)) {
			t.Errorf("finding %d (%s) is more severe than the one before (%s)", i, f.Severity, got.Findings[i-1].Severity)
		}
	}
	for _, want := range []string{"FERRY-TF-002", "FERRY-K8S-001"} {
		if !rules[want] {
			t.Errorf("no %s among the stored findings %v", want, rules)
		}
	}
	if f := got.Findings[len(got.Findings)-1]; f.Severity != "low" {
		t.Errorf("the last finding is %s, want the lowest (low)", f.Severity)
	}
	reg, _ := Registry()
	if r, _ := reg.Lookup("FERRY-TF-002"); r.DocURL() != check.DocBase+"FERRY-TF-002" {
		t.Errorf("FERRY-TF-002 doc = %q", r.DocURL())
	}
}

// TestStoredFindingsCapped: a huge run keeps the most severe findings.
func TestStoredFindingsCapped(t *testing.T) {
	t.Parallel()
	var fs []check.Finding
	for range store.MaxFindings + 10 {
		fs = append(fs, check.Finding{RuleID: "FERRY-TF-002", Severity: "low", Location: check.Location{File: "a.tf"}})
	}
	fs = append(fs, check.Finding{RuleID: "FERRY-K8S-001", Severity: "critical", Location: check.Location{File: "z.yaml"}})
	got := storedFindings(fs)
	if len(got) != store.MaxFindings || got[0].Severity != "critical" {
		t.Fatalf("%d stored, first %+v; want %d, the critical one first", len(got), got[0], store.MaxFindings)
	}
}
