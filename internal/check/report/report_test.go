package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/check"
)

var update = flag.Bool("update", false, "rewrite golden files")

func sample() *Report {
	loc := func(file string, line, col int) check.Location {
		return check.Location{File: file, Line: line, Column: col}
	}
	return &Report{
		Tool: "ferry", Version: "0.1.0-test", FailOn: "high", Files: 12, Documents: 30,
		Envs: []string{"dev", "production"}, Policies: []string{"policies/labels.rego"},
		Rules: []check.Rule{
			{ID: "FERRY-K8S-001", Domain: "kubernetes", Severity: "high", Title: "Privileged container",
				Rationale: "A privileged container can take over the node.", Remediation: "Set privileged: false.",
				TrivyIDs: []string{"KSV017"}, CheckovIDs: []string{"CKV_K8S_16"}, HelpURL: "https://ferry.dev/docs/rules/FERRY-K8S-001"},
			{ID: "FERRY-AWS-001", Domain: "aws", Severity: "critical", Title: "S3 bucket allows public ACLs",
				Rationale: "Public ACLs expose data.", Remediation: "Set block_public_acls = true.",
				TrivyIDs: []string{"AVD-AWS-0086"}, CheckovIDs: []string{"CKV_AWS_53"}},
			{ID: "FERRY-K8S-015", Domain: "kubernetes", Severity: "low", Title: "Liveness probe not set",
				Rationale: "Hung containers are not restarted.", Remediation: "Add a livenessProbe.", CheckovIDs: []string{"CKV_K8S_8"}},
			{ID: "FERRY-CMP-060", Domain: "compliance", Severity: "medium", Title: "Commit message is not a Conventional Commit",
				Rationale: "Versions come from commit types.", Remediation: "Reword the commit."},
		},
		Findings: []check.Finding{
			{RuleID: "FERRY-K8S-001", Severity: "high", Message: `Deployment/web/api: container "app" is privileged`,
				Location: loc("apps/api/base/deployment.yaml", 24, 13), Resource: "Deployment/web/api", Env: "dev,production"},
			{RuleID: "FERRY-K8S-015", Severity: "low", Message: `Deployment/web/api: container "app" has no livenessProbe`,
				Location: loc("apps/api/base/deployment.yaml", 18, 11), Resource: "Deployment/web/api", Env: "production"},
			{RuleID: "FERRY-AWS-001", Severity: "critical", Message: "aws_s3_bucket_public_access_block.logs: block_public_acls is false",
				Location: loc("infra/stacks/aws/s3.tf", 7, 3), Resource: "aws_s3_bucket_public_access_block.logs",
				Suppressed: &check.Suppression{Reason: "public website bucket", Source: "inline", At: loc("infra/stacks/aws/s3.tf", 5, 1)}},
			{RuleID: "FERRY-CMP-060", Severity: "medium", Message: `commit 0123456789ab "wip": no "type: " prefix`,
				Location:   check.Location{File: "commit:0123456789ab"},
				Suppressed: &check.Suppression{Reason: "history before the convention", Source: "ferry.yaml", At: check.Location{File: "ferry.yaml"}}},
			{RuleID: "FERRY-X-999", Severity: "medium", Message: "a finding of a rule without metadata <&>",
				Location: loc("odd path/with space.yaml", 0, 0)},
		},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden (go test ./internal/check/report -update):\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format, file string
		opts         Options
	}{
		{FormatText, "report.txt", Options{}},
		{FormatText, "report.color.txt", Options{Color: true}},
		{FormatJSON, "report.json", Options{}},
		{FormatSARIF, "report.sarif", Options{}},
		{FormatJUnit, "report.junit.xml", Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := Write(&b, tt.format, sample(), tt.opts); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.file, b.Bytes())
		})
	}
	if err := Write(&bytes.Buffer{}, "yaml", sample(), Options{}); err == nil {
		t.Error("unknown format accepted")
	}
}

// TestSARIFShape checks what GitHub code scanning requires of an upload.
func TestSARIFShape(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := SARIF(&b, sample()); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID         string         `json:"id"`
						Help       map[string]any `json:"help"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
						Region           struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "ferry" {
		t.Fatalf("log = %+v", log)
	}
	run := log.Runs[0]
	for _, r := range run.Tool.Driver.Rules {
		p := r.Properties
		if r.Help["text"] == "" || p["security-severity"] == nil || p["trivyIds"] == nil || p["checkovIds"] == nil {
			t.Errorf("rule %s lacks help or properties: %+v", r.ID, r)
		}
	}
	if len(run.Results) != 5 {
		t.Fatalf("results = %d", len(run.Results))
	}
	for _, res := range run.Results {
		if run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("ruleIndex of %s points at %s", res.RuleID, run.Tool.Driver.Rules[res.RuleIndex].ID)
		}
		if len(res.Locations) != 1 || res.Locations[0].PhysicalLocation.Region.StartLine < 1 || res.PartialFingerprints["ferryFindingHash/v1"] == "" {
			t.Errorf("result %s: bad location or fingerprint %+v", res.RuleID, res)
		}
	}
}

func TestJUnitParses(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := JUnit(&b, sample()); err != nil {
		t.Fatal(err)
	}
	var s junitSuites
	if err := xml.Unmarshal(b.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	if s.Tests != 5 || s.Failures != 1 || s.Skipped != 2 {
		t.Errorf("tests=%d failures=%d skipped=%d", s.Tests, s.Failures, s.Skipped)
	}
	empty := &Report{Tool: "ferry", FailOn: "high"}
	b.Reset()
	if err := JUnit(&b, empty); err != nil || !strings.Contains(b.String(), `tests="1"`) {
		t.Errorf("empty junit = %s, %v", b.String(), err)
	}
}

func TestFingerprintIgnoresLine(t *testing.T) {
	t.Parallel()
	a := check.Finding{RuleID: "R-1", Message: "m", Location: check.Location{File: "f", Line: 3}}
	b := a
	b.Location.Line = 30
	c := a
	c.Message = "other"
	if Fingerprint(a) != Fingerprint(b) || Fingerprint(a) == Fingerprint(c) {
		t.Error("fingerprint depends on the line or ignores the message")
	}
}
