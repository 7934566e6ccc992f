package scan

import (
	"sync"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/rules/gitflow"
	"ferry.dev/ferry/internal/check/rules/kubernetes"
	"ferry.dev/ferry/internal/check/rules/secrets"
	"ferry.dev/ferry/internal/check/schema"
	"ferry.dev/ferry/internal/check/tfscan"
	"ferry.dev/ferry/internal/platform"
)

// Policy rule IDs: findings produced by the team's Rego policies.
const (
	RulePolicyDeny  = "FERRY-POL-001"
	RulePolicyWarn  = "FERRY-POL-002"
	RulePolicyError = "FERRY-POL-003"
)

func policyRules() []check.Rule {
	return []check.Rule{
		{ID: RulePolicyDeny, Domain: "policy", Severity: platform.SeverityHigh, Title: "Policy denied the document",
			Rationale:   "A deny or violation rule of the team's Rego policies (policies/**/*.rego) matched.",
			Remediation: "Fix the document as the policy message says, or change the policy in review."},
		{ID: RulePolicyWarn, Domain: "policy", Severity: platform.SeverityLow, Title: "Policy warning",
			Rationale:   "A warn rule of the team's Rego policies matched.",
			Remediation: "Consider the policy message; warnings do not fail the default threshold."},
		{ID: RulePolicyError, Domain: "policy", Severity: platform.SeverityHigh, Title: "Policy does not load or evaluate",
			Rationale:   "A policy that does not compile checks nothing, so the gate it guards is open.",
			Remediation: "Fix the Rego at the reported file and line (`opa check` shows the same error)."},
	}
}

var registry = sync.OnceValues(func() (*check.Registry, error) {
	return check.NewRegistry(check.CoreRules(), tfscan.Rules(), kubernetes.Rules(), schema.Rules(),
		secrets.Rules(), gitflow.Rules(), policyRules())
})

// Registry returns the metadata of every rule ferry can report.
func Registry() (*check.Registry, error) { return registry() }
