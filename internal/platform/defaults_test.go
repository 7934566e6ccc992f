package platform

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test ./internal/platform -run %s -update to accept):\n--- got\n%s", path, t.Name(), got)
	}
}

func encodeYAML(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The defaults of a minimal file: header only.
func TestDefaultsGolden(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, repo(t, header))
	golden(t, "defaults.golden.yaml", encodeYAML(t, p))
}

// Defaults derived from custom lanes, and explicit values that look like
// zero values being kept.
func TestDefaultsDerived(t *testing.T) {
	t.Parallel()
	doc := header + `  lanes:
    - integration
    - name: qa
    - name: prod
      protected: false
  environments:
    - name: int
      lane: integration
      driftInterval: 1h30m
      targets:
        - name: a
        - name: b
          order: 0
        - name: c
    - name: qa
      lane: qa
  versioning:
    tagPrefix: ""
  checks:
    policyDirs: []
`
	p := mustLoad(t, repo(t, doc))
	s := p.Spec
	if got := []bool{s.Lanes[0].Protected, s.Lanes[1].Protected, s.Lanes[2].Protected}; got[0] || !got[1] || got[2] {
		t.Errorf("protected = %v, want [false true false] (first lane open, explicit false kept)", got)
	}
	if s.Topics[0].Base != "integration" || s.Topics[1].Base != "prod" || s.Topics[1].MergeInto[0] != "integration" {
		t.Errorf("topics = %+v", s.Topics)
	}
	wantProm := []Promotion{
		{To: "qa", From: "integration", Candidate: CandidateHead, Gates: Gates{Checks: true}},
		{To: "prod", From: "qa", Candidate: CandidateVerified, Gates: Gates{Deployed: "qa", Verified: true}},
	}
	if len(s.Promotions) != 2 || s.Promotions[0] != wantProm[0] || s.Promotions[1] != wantProm[1] {
		t.Errorf("promotions = %+v, want %+v", s.Promotions, wantProm)
	}
	int0 := s.Environments[0]
	if int0.DriftInterval.String() != "1h30m" || int0.HealthTimeout.String() != "5m" || int0.Drift != DriftDetect || int0.AutoSync {
		t.Errorf("environment int = %+v", int0)
	}
	if o := []int{int0.Targets[0].Order, int0.Targets[1].Order, int0.Targets[2].Order}; o[0] != 1 || o[1] != 0 || o[2] != 3 {
		t.Errorf("target orders = %v, want [1 0 3]", o)
	}
	if s.Versioning.TagPrefix != "" || len(s.Checks.PolicyDirs) != 0 {
		t.Errorf("explicit empty values replaced: tagPrefix %q policyDirs %v", s.Versioning.TagPrefix, s.Checks.PolicyDirs)
	}
}
