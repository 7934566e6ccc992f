package scaffold

import (
	"context"
	"testing"

	"ferry.dev/ferry/internal/check/scan"
)

// TestWrittenPlatformPassesChecks runs ferry's whole check pipeline (built-in
// Terraform, Kubernetes, secrets and Git-flow rules, schemas, the team's Rego
// policy, every environment) over what `ferry init` writes. The reference
// platform is the example teams copy, so it must have no finding at all,
// not merely none above failOn, and no suppression.
func TestWrittenPlatformPassesChecks(t *testing.T) {
	t.Parallel()
	dir := written(t)
	res, err := scan.Run(context.Background(), scan.Options{Root: dir})
	if err != nil {
		t.Fatalf("check the written platform: %v", err)
	}
	if !res.Platform || len(res.Envs) != 3 || len(res.Policies) == 0 {
		t.Fatalf("not checked as a platform with 3 environments and its policies: %+v", res)
	}
	if res.Documents < 100 {
		t.Errorf("only %d documents checked; overlays were not rendered", res.Documents)
	}
	for _, f := range res.Findings {
		t.Errorf("%s:%d %s %s %s (env %q, suppressed %v)", f.Location.File, f.Location.Line,
			f.Severity, f.RuleID, f.Message, f.Env, f.Suppressed != nil)
	}
}
