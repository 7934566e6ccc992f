package check

import "ferry.dev/ferry/internal/platform"

// Severity of a finding; the same scale ferry.yaml uses.
type Severity = platform.Severity

// severityRank orders severities; unknown ones rank lowest.
var severityRank = map[Severity]int{
	platform.SeverityLow:      1,
	platform.SeverityMedium:   2,
	platform.SeverityHigh:     3,
	platform.SeverityCritical: 4,
}

// AtLeast reports whether s is as severe as min or more.
func AtLeast(s, min Severity) bool { return severityRank[s] >= severityRank[min] }

// Location points at the place a finding is about.
type Location struct {
	File      string `json:"file"` // slash-separated, relative to the scanned root
	Line      int    `json:"line,omitempty"`
	Column    int    `json:"column,omitempty"`
	EndLine   int    `json:"endLine,omitempty"`
	EndColumn int    `json:"endColumn,omitempty"`
}

// Finding is one problem a rule found. Message never echoes a secret.
type Finding struct {
	RuleID   string   `json:"ruleId"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Location Location `json:"location"`
	// Resource is the Terraform address (aws_s3_bucket.state) or Kubernetes
	// object (Deployment/default/web) the finding is about, when there is one.
	Resource string `json:"resource,omitempty"`
	// Env is the environment whose rendered inputs produced the finding.
	Env string `json:"env,omitempty"`
	// Enclosing is the range of the block or document the finding sits in
	// (a Terraform resource block, a YAML document); a `ferry:ignore`
	// comment on the line above it suppresses the finding.
	Enclosing *Location `json:"-"`
	// Suppressed holds the suppression's reason when the finding is suppressed.
	Suppressed *Suppression `json:"suppressed,omitempty"`
}

// Suppression records why a finding was silenced and where.
type Suppression struct {
	Reason string   `json:"reason"`
	Source string   `json:"source"` // "inline" or "ferry.yaml"
	At     Location `json:"at"`
}
