package tagging

import (
	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
	"ferry.dev/ferry/internal/platform"
)

var (
	rRequiredTags = rule("FERRY-CMP-001", platform.SeverityMedium, "Resource lacks required tags",
		"Tags required by the platform (owner, cost centre, environment, …) drive cost allocation, ownership and automation; an untagged resource escapes all three.",
		"Add the missing keys to the resource's tags, or to the AWS provider's default_tags.")
	rRegion = rule("FERRY-CMP-002", platform.SeverityHigh, "AWS region is not allowed",
		"Deploying outside the allowed regions breaks data-residency commitments and escapes the guard rails set up in those regions.",
		"Use one of checks.allowedRegions from ferry.yaml in the provider's region (or the resource's region).")
	rLocation = rule("FERRY-CMP-003", platform.SeverityHigh, "Azure location is not allowed",
		"Deploying outside the allowed locations breaks data-residency commitments and escapes the guard rails set up in those locations.",
		"Use one of checks.allowedLocations from ferry.yaml as the resource's location.")
	rNaming = rule("FERRY-CMP-004", platform.SeverityLow, "Resource name does not follow the naming pattern",
		"A consistent naming scheme tells owners, environments and purposes apart in consoles, bills and logs.",
		"Rename the resource to match checks.namingPattern from ferry.yaml.")
)

// Rules returns the compliance rules; each is silent unless ferry.yaml
// configures it.
func Rules() []tfmodel.Rule {
	return []tfmodel.Rule{
		{Rule: rRequiredTags, Check: checkRequiredTags},
		{Rule: rRegion, Check: checkRegions},
		{Rule: rLocation, Check: checkLocations},
		{Rule: rNaming, Check: checkNaming},
	}
}

func rule(id string, sev platform.Severity, title, rationale, remediation string) check.Rule {
	return check.Rule{ID: id, Domain: "compliance", Severity: sev, Title: title,
		Rationale: rationale, Remediation: remediation}
}
