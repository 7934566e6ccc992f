package aws_test

import (
	"testing"

	"ferry.dev/ferry/internal/check/rules/aws"
	"ferry.dev/ferry/internal/check/tfscan/tfscantest"
	"ferry.dev/ferry/internal/platform"
)

func TestFixtures(t *testing.T) {
	t.Parallel()
	var ids []string
	for _, r := range aws.Rules() {
		ids = append(ids, r.ID)
	}
	tfscantest.Run(t, "testdata", ids, platform.Checks{})
}

func TestMetadata(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, r := range aws.Rules() {
		switch {
		case seen[r.ID]:
			t.Errorf("duplicate rule ID %s", r.ID)
		case r.Title == "" || r.Rationale == "" || r.Remediation == "" || r.Severity == "":
			t.Errorf("%s: incomplete metadata", r.ID)
		case len(r.TrivyIDs) == 0 || len(r.CheckovIDs) == 0:
			t.Errorf("%s: missing trivy or checkov mapping", r.ID)
		case r.Check == nil:
			t.Errorf("%s: no check", r.ID)
		}
		seen[r.ID] = true
	}
	if len(seen) < 25 {
		t.Errorf("%d AWS rules, want at least 25", len(seen))
	}
}
