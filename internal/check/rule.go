package check

// Rule is a built-in rule's metadata. The logic lives with the rule in its
// domain package (rules/aws, rules/azure, rules/kubernetes, rules/compliance).
type Rule struct {
	ID          string   `json:"id"`     // FERRY-AWS-001
	Domain      string   `json:"domain"` // aws, azure, kubernetes, compliance, syntax, schema
	Severity    Severity `json:"severity"`
	Title       string   `json:"title"`
	Rationale   string   `json:"rationale"`
	Remediation string   `json:"remediation"`
	TrivyIDs    []string `json:"trivyIds,omitempty"`   // AVD-AWS-0086 / AWS-0086 / KSV001
	CheckovIDs  []string `json:"checkovIds,omitempty"` // CKV_AWS_53
	HelpURL     string   `json:"helpUrl,omitempty"`
}

// DocBase is where the rule reference (docs/rules.md, generated from this
// registry) is published: one stable URL per rule ID.
const DocBase = "https://ferry.dev/docs/rules/"

// DocURL is the rule's documentation: its HelpURL when it has one, else
// its entry in the rule reference.
func (r Rule) DocURL() string {
	if r.HelpURL != "" {
		return r.HelpURL
	}
	return DocBase + r.ID
}
