package check

import "ferry.dev/ferry/internal/platform"

// IDs of the rules the pipeline itself reports (inputs it could not read,
// suppressions, configuration). Domain rules live in their own packages.
const (
	RuleFileSkipped       = "FERRY-FILE-001" // binary, oversized, invalid UTF-8, unreadable, symlink
	RuleYAMLSyntax        = "FERRY-YAML-001"
	RuleConfig            = "FERRY-CFG-001" // ferry.yaml model error
	RuleSuppressionReason = "FERRY-SUP-001" // ferry:ignore without a reason
	RuleSuppressionBroad  = "FERRY-SUP-002" // blanket or unknown-rule suppression
	RuleRender            = "FERRY-RND-001" // an environment's overlay failed to render
)

// CoreRules is the metadata of the pipeline's own rules.
func CoreRules() []Rule {
	return []Rule{
		{ID: RuleFileSkipped, Domain: "syntax", Severity: platform.SeverityLow,
			Title:       "File could not be checked",
			Rationale:   "Binary files, files over 10 MB, invalid UTF-8, unreadable files and symlinks are not scanned, so nothing in them is checked.",
			Remediation: "Keep configuration as UTF-8 text under 10 MB, or exclude the path in spec.checks.exclude."},
		{ID: RuleYAMLSyntax, Domain: "syntax", Severity: platform.SeverityHigh,
			Title:       "YAML syntax error",
			Rationale:   "A YAML file that does not parse cannot be applied or checked.",
			Remediation: "Fix the syntax at the reported line; `yamllint` or an editor with YAML support shows the same position."},
		{ID: RuleConfig, Domain: "syntax", Severity: platform.SeverityHigh,
			Title:       "ferry.yaml model error",
			Rationale:   "ferry cannot promote or deploy a platform whose model is invalid.",
			Remediation: "Fix ferry.yaml at the reported line and field."},
		{ID: RuleSuppressionReason, Domain: "compliance", Severity: platform.SeverityMedium,
			Title:       "Suppression without a reason",
			Rationale:   "Every silenced finding must say why, so reviewers can judge the exception; a suppression without a reason is ignored.",
			Remediation: "Write `# ferry:ignore RULE-ID why this is acceptable`."},
		{ID: RuleSuppressionBroad, Domain: "compliance", Severity: platform.SeverityMedium,
			Title:       "Blanket or unknown suppression",
			Rationale:   "A suppression must name one known rule; blanket suppressions hide future findings nobody reviewed.",
			Remediation: "Name the exact rule IDs (`ferry rules` lists them)."},
		{ID: RuleRender, Domain: "kubernetes", Severity: platform.SeverityHigh,
			Title:       "Environment overlay does not render",
			Rationale:   "What cannot be rendered cannot be deployed; the environment would fail at sync.",
			Remediation: "Run `kustomize build` on the overlay and fix the reported error."},
	}
}
