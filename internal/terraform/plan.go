package terraform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
)

// Change is one resource change of a plan: an address and an action, never
// attribute values.
type Change struct {
	Address string `json:"address"`
	Action  string `json:"action"` // create, update, delete, replace, read
}

// Summary is what a plan would do.
type Summary struct {
	Add     int      `json:"add"`
	Change  int      `json:"change"`
	Destroy int      `json:"destroy"`
	Changes []Change `json:"changes,omitempty"`
	// OutputChanges names outputs whose value would change (values are
	// never included).
	OutputChanges []string `json:"outputChanges,omitempty"`
}

// Empty reports whether the plan changes nothing.
func (s Summary) Empty() bool { return len(s.Changes) == 0 && len(s.OutputChanges) == 0 }

// String is the familiar one-line form.
func (s Summary) String() string {
	return fmt.Sprintf("%d to add, %d to change, %d to destroy", s.Add, s.Change, s.Destroy)
}

// Plan is a saved plan ready to apply.
type Plan struct {
	File    string  // the saved plan file in the stack's state dir
	Summary Summary // what it does
	// JSON is `terraform show -json` of the plan. It may hold sensitive
	// values (marked in sensitive_values); it is handed to the policy
	// checker only and never written to output or the store.
	JSON []byte `json:"-"`
	// Changed is terraform's -detailed-exitcode verdict (exit 2).
	Changed bool
}

// Plan inits the stack and writes a saved plan with its summary.
func (r *Runner) Plan(ctx context.Context, s Stack) (*Plan, error) {
	tf, err := r.Init(ctx, s)
	if err != nil {
		return nil, err
	}
	return r.plan(ctx, tf, s)
}

func (r *Runner) plan(ctx context.Context, tf *tfexec.Terraform, s Stack) (*Plan, error) {
	file := filepath.Join(s.StateDir, "ferry.tfplan")
	_ = os.Remove(file)
	opts := []tfexec.PlanOption{tfexec.Out(file), tfexec.Refresh(true)}
	for _, vf := range s.VarFiles {
		opts = append(opts, tfexec.VarFile(vf))
	}
	for _, kv := range sortedVars(s.Vars) {
		opts = append(opts, tfexec.Var(kv))
	}
	changed, err := tf.Plan(ctx, opts...)
	if err != nil {
		return nil, r.redact(s, fmt.Errorf("plan %s: %w", s.Component, err))
	}
	p, err := tf.ShowPlanFile(ctx, file)
	if err != nil {
		return nil, r.redact(s, fmt.Errorf("show plan %s: %w", s.Component, err))
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode plan %s: %w", s.Component, err)
	}
	return &Plan{File: file, Summary: Summarize(p), JSON: raw, Changed: changed}, nil
}

func sortedVars(vars map[string]string) []string {
	out := make([]string, 0, len(vars))
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// Summarize reduces a plan to addresses and actions.
func Summarize(p *tfjson.Plan) Summary {
	var s Summary
	if p == nil {
		return s
	}
	for _, rc := range p.ResourceChanges {
		if rc == nil || rc.Change == nil {
			continue
		}
		a := rc.Change.Actions
		var action string
		switch {
		case a.NoOp():
			continue
		case a.Replace():
			action = "replace"
			s.Add++
			s.Destroy++
		case a.Create():
			action = "create"
			s.Add++
		case a.Update():
			action = "update"
			s.Change++
		case a.Delete():
			action = "delete"
			s.Destroy++
		case a.Read():
			action = "read"
		default:
			action = strings.Join(actionStrings(a), ",")
		}
		s.Changes = append(s.Changes, Change{Address: rc.Address, Action: action})
	}
	for name, oc := range p.OutputChanges {
		if oc != nil && !oc.Actions.NoOp() {
			s.OutputChanges = append(s.OutputChanges, name)
		}
	}
	sort.Slice(s.Changes, func(i, j int) bool { return s.Changes[i].Address < s.Changes[j].Address })
	sort.Strings(s.OutputChanges)
	return s
}

func actionStrings(a tfjson.Actions) []string {
	out := make([]string, len(a))
	for i, x := range a {
		out[i] = string(x)
	}
	return out
}

// ErrPolicyDenied wraps a policy checker's refusal of a plan.
var ErrPolicyDenied = errors.New("policy denied the plan")

// Apply applies exactly the saved plan p (never a fresh one), after the
// policy checker, if any, approved its JSON. It returns the outputs.
func (r *Runner) Apply(ctx context.Context, s Stack, p *Plan) (Outputs, error) {
	if p == nil || p.File == "" {
		return nil, fmt.Errorf("apply %s: no saved plan", s.Component)
	}
	if r.Policy != nil {
		if err := r.Policy.CheckPlan(ctx, s.Component, p.JSON); err != nil {
			return nil, fmt.Errorf("apply %s: %w: %w", s.Component, ErrPolicyDenied, err)
		}
	}
	tf, err := r.open(s)
	if err != nil {
		return nil, fmt.Errorf("apply %s: %w", s.Component, err)
	}
	if err := tf.Apply(ctx, tfexec.DirOrPlan(p.File)); err != nil {
		return nil, r.redact(s, fmt.Errorf("apply %s: %w", s.Component, err))
	}
	_ = os.Remove(p.File)
	return r.outputs(ctx, tf, s)
}

// Drift reports whether the live infrastructure differs from the
// configuration (plan -detailed-exitcode), with the summary of what differs.
func (r *Runner) Drift(ctx context.Context, s Stack) (bool, Summary, error) {
	tf, err := r.Init(ctx, s)
	if err != nil {
		return false, Summary{}, err
	}
	p, err := r.plan(ctx, tf, s)
	if err != nil {
		return false, Summary{}, err
	}
	_ = os.Remove(p.File)
	return p.Changed, p.Summary, nil
}
