package azure_test

import (
	"testing"

	"ferry.dev/ferry/internal/check/rules/azure"
	"ferry.dev/ferry/internal/check/tfscan/tfscantest"
	"ferry.dev/ferry/internal/platform"
)

func TestFixtures(t *testing.T) {
	t.Parallel()
	var ids []string
	for _, r := range azure.Rules() {
		ids = append(ids, r.ID)
	}
	tfscantest.Run(t, "testdata", ids, platform.Checks{})
}

func TestMetadata(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, r := range azure.Rules() {
		switch {
		case seen[r.ID]:
			t.Errorf("duplicate rule ID %s", r.ID)
		case r.Title == "" || r.Rationale == "" || r.Remediation == "" || r.Severity == "":
			t.Errorf("%s: incomplete metadata", r.ID)
		case len(r.CheckovIDs) == 0:
			// Trivy IDs are given only where trivy has a matching check.
			t.Errorf("%s: missing checkov mapping", r.ID)
		case r.Check == nil:
			t.Errorf("%s: no check", r.ID)
		}
		seen[r.ID] = true
	}
	if len(seen) < 10 {
		t.Errorf("%d Azure rules, want at least 10", len(seen))
	}
}
