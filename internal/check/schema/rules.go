package schema

import (
	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/platform"
)

// Rule IDs.
const (
	RuleUnknownField = "FERRY-SCH-001"
	RuleWrongType    = "FERRY-SCH-002"
	RuleRequired     = "FERRY-SCH-003"
	RuleUnknownKind  = "FERRY-SCH-004"
)

// Rules returns the metadata of the schema rules.
func Rules() []check.Rule {
	r := func(id, title, rationale, remediation string) check.Rule {
		return check.Rule{ID: id, Domain: "schema", Severity: platform.SeverityHigh, Title: title,
			Rationale: rationale, Remediation: remediation, HelpURL: "https://ferry.dev/docs/rules/" + id}
	}
	return []check.Rule{
		r(RuleUnknownField, "Unknown field",
			"The API server rejects unknown fields under strict field validation (kubectl's default), or silently drops them, so the setting never takes effect.",
			"Fix the field name or its indentation; `kubectl explain KIND.FIELD` lists the valid fields."),
		r(RuleWrongType, "Wrong value type",
			"A value of the wrong type (a number where a string is expected, a list where an object is) makes the object fail to decode and the apply fail.",
			"Quote strings, unquote numbers and booleans, and use the structure the schema expects."),
		r(RuleRequired, "Missing required field",
			"The API server rejects objects without their required fields.",
			"Add the field; `kubectl explain` marks required fields."),
		r(RuleUnknownKind, "Unknown apiVersion or kind",
			"A kind the cluster does not serve at that apiVersion (removed beta APIs, typos) cannot be applied.",
			"Use a served apiVersion (e.g. apps/v1, networking.k8s.io/v1, policy/v1) or define the kind with a CustomResourceDefinition."),
	}
}
