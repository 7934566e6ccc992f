package deploy

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"ferry.dev/ferry/internal/policy"
)

// ErrPolicyDenied: a Terraform plan was denied by the platform's policies.
var ErrPolicyDenied = errors.New("denied by policy")

// planPolicy runs the platform's Rego policies (checks.policyDirs of the
// revision being deployed) on each Terraform plan before it is applied:
// any deny or violation blocks the apply; warnings are logged.
type planPolicy struct {
	dirs []string
	opts Options
}

func newPlanPolicy(worktree string, dirs []string, opts Options) planPolicy {
	abs := make([]string, len(dirs))
	for i, d := range dirs {
		abs[i] = filepath.Join(worktree, d)
	}
	return planPolicy{dirs: abs, opts: opts}
}

func (pp planPolicy) CheckPlan(ctx context.Context, component string, planJSON []byte) error {
	if len(pp.dirs) == 0 {
		return nil
	}
	res, err := policy.EvalPlan(ctx, pp.dirs, planJSON)
	if errors.Is(err, policy.ErrNoPolicies) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("policy check of %s: %w", component, err)
	}
	var denied []string
	for _, r := range res {
		if r.Kind == "warn" {
			pp.opts.logf("policy warning on %s: %s", component, r.Msg)
			continue
		}
		denied = append(denied, r.Msg)
	}
	if len(denied) > 0 {
		return fmt.Errorf("%w: %s", ErrPolicyDenied, strings.Join(denied, "; "))
	}
	return nil
}
