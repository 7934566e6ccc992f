// Command gendocs writes docs/rules.md, the rule reference, from the check
// registry (scan.Registry): every built-in rule's ID, severity, title,
// rationale, remediation and matching trivy/checkov IDs, grouped by domain.
// Run it from the repository root after changing a rule:
//
//	go run ./hack/gendocs
//
// Its test fails when docs/rules.md differs from what the registry
// generates, so the reference cannot drift from the code. It owns only the
// rendering of that page; rule metadata lives with each rule's package.
package main
