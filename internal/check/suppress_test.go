package check

import (
	"strings"
	"testing"

	"ferry.dev/ferry/internal/platform"
)

func TestParseSuppressions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		src        string
		wantIDs    [][]string
		wantTarget []int
		wantBad    []string // rule IDs of findings
	}{
		{name: "yaml standalone", src: "# ferry:ignore FERRY-K8S-001 sidecar needs it\nkind: Pod\n",
			wantIDs: [][]string{{"FERRY-K8S-001"}}, wantTarget: []int{2}},
		{name: "stacked directives share target", src: "# ferry:ignore FERRY-K8S-001 a\n# ferry:ignore FERRY-K8S-002 b\n\nkind: Pod\n",
			wantIDs: [][]string{{"FERRY-K8S-001"}, {"FERRY-K8S-002"}}, wantTarget: []int{4, 4}},
		{name: "trailing comment targets own line", src: "a: 1\nprivileged: true # ferry:ignore FERRY-K8S-001 csi driver\n",
			wantIDs: [][]string{{"FERRY-K8S-001"}}, wantTarget: []int{2}},
		{name: "hcl slash comment and list", src: "// ferry:ignore FERRY-AWS-001,FERRY-AWS-002 public website\nresource \"x\" \"y\" {}\n",
			wantIDs: [][]string{{"FERRY-AWS-001", "FERRY-AWS-002"}}, wantTarget: []int{2}},
		{name: "block comment", src: "/* ferry:ignore FERRY-AWS-001 legacy */\nresource \"x\" \"y\" {}\n",
			wantIDs: [][]string{{"FERRY-AWS-001"}}, wantTarget: []int{2}},
		{name: "skips document separator", src: "# ferry:ignore FERRY-K8S-003 batch job\n---\nkind: Job\n",
			wantIDs: [][]string{{"FERRY-K8S-003"}}, wantTarget: []int{3}},
		{name: "no reason", src: "# ferry:ignore FERRY-K8S-001\nkind: Pod\n", wantBad: []string{RuleSuppressionReason}},
		{name: "blanket star", src: "# ferry:ignore * everything\n", wantBad: []string{RuleSuppressionBroad}},
		{name: "blanket all", src: "# ferry:ignore all everything\n", wantBad: []string{RuleSuppressionBroad}},
		{name: "no rule", src: "# ferry:ignore\n", wantBad: []string{RuleSuppressionBroad}},
		{name: "malformed id", src: "# ferry:ignore k8s-1 reason\n", wantBad: []string{RuleSuppressionBroad}},
		{name: "marker inside a string is not a comment", src: "msg: \"ferry:ignore FERRY-K8S-001 x\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dirs, bad := ParseSuppressions("f.yaml", []byte(tt.src))
			if len(dirs) != len(tt.wantIDs) {
				t.Fatalf("got %d directives %+v, want %d", len(dirs), dirs, len(tt.wantIDs))
			}
			for i, d := range dirs {
				if strings.Join(d.RuleIDs, ",") != strings.Join(tt.wantIDs[i], ",") || d.Target != tt.wantTarget[i] || d.Reason == "" {
					t.Errorf("directive %d = %+v, want ids %v target %d", i, d, tt.wantIDs[i], tt.wantTarget[i])
				}
			}
			var got []string
			for _, f := range bad {
				got = append(got, f.RuleID)
			}
			if strings.Join(got, ",") != strings.Join(tt.wantBad, ",") {
				t.Errorf("bad findings = %v, want %v", got, tt.wantBad)
			}
		})
	}
}

func TestSuppressorApply(t *testing.T) {
	t.Parallel()
	src := "# ferry:ignore FERRY-K8S-001 node agent needs privileges\napiVersion: v1\nkind: Pod\nspec:\n  x: 1\n"
	dirs, _ := ParseSuppressions("pod.yaml", []byte(src))
	s := NewSuppressor(dirs, func(id string) bool { return id == "FERRY-K8S-001" })
	fs := []Finding{
		{RuleID: "FERRY-K8S-001", Location: Location{File: "pod.yaml", Line: 5}, Enclosing: &Location{File: "pod.yaml", Line: 2}},
		{RuleID: "FERRY-K8S-002", Location: Location{File: "pod.yaml", Line: 5}, Enclosing: &Location{File: "pod.yaml", Line: 2}},
		{RuleID: "FERRY-K8S-001", Location: Location{File: "other.yaml", Line: 5}, Enclosing: &Location{File: "other.yaml", Line: 2}},
	}
	s.Apply(fs)
	if fs[0].Suppressed == nil || fs[0].Suppressed.Source != "inline" || fs[0].Suppressed.At.Line != 1 {
		t.Errorf("matching finding not suppressed: %+v", fs[0].Suppressed)
	}
	if fs[1].Suppressed != nil || fs[2].Suppressed != nil {
		t.Errorf("other rule or file suppressed: %+v %+v", fs[1].Suppressed, fs[2].Suppressed)
	}
	if len(s.Unknown()) != 0 {
		t.Errorf("known rule reported unknown")
	}
	s2 := NewSuppressor(dirs, func(string) bool { return false })
	if u := s2.Unknown(); len(u) != 1 || u[0].RuleID != RuleSuppressionBroad {
		t.Errorf("unknown rule not reported: %+v", u)
	}
}

func TestApplySettings(t *testing.T) {
	t.Parallel()
	reg, err := NewRegistry([]Rule{
		{ID: "FERRY-X-001", Severity: platform.SeverityHigh},
		{ID: "FERRY-X-002", Severity: platform.SeverityHigh},
		{ID: "FERRY-X-003", Severity: platform.SeverityLow},
	})
	if err != nil {
		t.Fatal(err)
	}
	fs := []Finding{{RuleID: "FERRY-X-001", Severity: "high"}, {RuleID: "FERRY-X-002", Severity: "high"}, {RuleID: "FERRY-X-003", Severity: "low"}}
	problems := ApplySettings(fs, map[string]platform.RuleConfig{
		"FERRY-X-001":  {Severity: platform.SeverityLow},
		"FERRY-X-002":  {Disabled: true, Reason: "no public buckets in this account"},
		"FERRY-X-003":  {Disabled: true},
		"FERRY-NOPE-1": {Disabled: true, Reason: "x"},
	}, reg, "ferry.yaml")
	if fs[0].Severity != platform.SeverityLow || fs[0].Suppressed != nil {
		t.Errorf("override not applied: %+v", fs[0])
	}
	if fs[1].Suppressed == nil || fs[1].Suppressed.Source != "ferry.yaml" {
		t.Errorf("disable not applied: %+v", fs[1])
	}
	if fs[2].Suppressed != nil {
		t.Errorf("disable without reason honoured: %+v", fs[2])
	}
	if len(problems) != 2 {
		t.Errorf("problems = %+v, want unknown rule and missing reason", problems)
	}
}

func TestNewRegistryRejectsDuplicates(t *testing.T) {
	t.Parallel()
	_, err := NewRegistry([]Rule{{ID: "A-1", Severity: "low"}}, []Rule{{ID: "A-1", Severity: "low"}, {ID: "B-1", Severity: "bad"}})
	if err == nil || !strings.Contains(err.Error(), "duplicate") || !strings.Contains(err.Error(), "bad severity") {
		t.Fatalf("err = %v", err)
	}
	reg, err := NewRegistry(CoreRules())
	if err != nil || reg.Len() != len(CoreRules()) {
		t.Fatalf("core rules: %v", err)
	}
}

func FuzzParseSuppressions(f *testing.F) {
	for _, s := range []string{"# ferry:ignore FERRY-K8S-001 reason\nx: 1", "// ferry:ignore", "/* ferry:ignore *", "ferry:ignore ,,, x", "#ferry:ignore A-1,B-2 r\n---\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dirs, bad := ParseSuppressions("f", data)
		for _, d := range dirs {
			if d.Reason == "" || len(d.RuleIDs) == 0 || d.Target < d.At.Line {
				t.Fatalf("bad directive %+v", d)
			}
		}
		for _, b := range bad {
			if !isMetaRule(b.RuleID) {
				t.Fatalf("bad finding %+v", b)
			}
		}
	})
}
