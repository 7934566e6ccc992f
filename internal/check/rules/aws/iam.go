package aws

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
)

var rIAMWildcard = rule("FERRY-AWS-013", high, "IAM policy allows wildcard actions",
	"An Allow statement with Action \"*\" (full administrator) or \"service:*\" grants every current and future action of the service, far beyond least privilege.",
	"List the specific actions the principal needs, and scope Resource to specific ARNs.",
	ids("AVD-AWS-0057"), ids("CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_355", "CKV_AWS_1", "CKV_AWS_49", "CKV_AWS_356"))

// identityPolicies are resource types whose attribute holds an identity
// policy document as JSON.
var identityPolicies = map[string]string{
	"aws_iam_policy":       "policy",
	"aws_iam_role_policy":  "policy",
	"aws_iam_user_policy":  "policy",
	"aws_iam_group_policy": "policy",
}

func checkIAMWildcard(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, typ := range slices.Sorted(maps.Keys(identityPolicies)) {
		attr := identityPolicies[typ]
		for _, r := range c.OfType(typ) {
			out = append(out, jsonPolicyFindings(r, r.Body.Attr(attr))...)
		}
	}
	for _, r := range c.OfType("aws_iam_role") {
		inl, _ := r.Body.Nested("inline_policy")
		for _, b := range inl {
			out = append(out, jsonPolicyFindings(r, b.Attr("policy"))...)
		}
	}
	for _, d := range c.DataOfType("aws_iam_policy_document") {
		identity := usedAsIdentityPolicy(c, d)
		stmts, _ := d.Body.Nested("statement")
		for _, s := range stmts {
			out = append(out, documentStatement(d, s, identity)...)
		}
	}
	return out
}

// wildcardAction returns the first action that is "*" or "service:*".
func wildcardAction(actions []string) string {
	for _, a := range actions {
		a = strings.TrimSpace(a)
		if a == "*" || (strings.HasSuffix(a, ":*") && !strings.Contains(strings.TrimSuffix(a, ":*"), "*")) {
			return a
		}
	}
	return ""
}

func wildcardMessage(action string, resources []string) string {
	for _, r := range resources {
		if r == "*" && action == "*" {
			return `Allow statement grants every action on every resource ("*" on "*")`
		}
	}
	return fmt.Sprintf("Allow statement grants the wildcard action %q", action)
}

// jsonPolicyFindings inspects a policy given as a JSON string (heredoc,
// jsonencode or file). Unknown or unparsable documents are skipped.
func jsonPolicyFindings(r *tfmodel.Resource, a *tfmodel.Attr) []check.Finding {
	if a == nil {
		return nil
	}
	src, ok := tfmodel.AsString(a.Value)
	if !ok {
		return nil
	}
	var doc struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(src), &doc) != nil {
		return nil
	}
	var out []check.Finding
	for _, s := range statements(doc.Statement) {
		if !strings.EqualFold(s.Effect, "Allow") || len(s.Principal) > 0 || len(s.NotPrincipal) > 0 {
			continue
		}
		if w := wildcardAction(stringOrList(s.Action)); w != "" {
			out = append(out, r.Finding(rIAMWildcard, a.Range, wildcardMessage(w, stringOrList(s.Resource))))
		}
	}
	return out
}

type statement struct {
	Effect       string
	Action       json.RawMessage
	Resource     json.RawMessage
	Principal    json.RawMessage
	NotPrincipal json.RawMessage
}

// statements accepts a single statement object or an array of them.
func statements(raw json.RawMessage) []statement {
	var list []statement
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one statement
	if json.Unmarshal(raw, &one) == nil {
		return []statement{one}
	}
	return nil
}

func stringOrList(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	return nil
}

// usedAsIdentityPolicy reports whether a policy document is attached to
// a role, user or group as an identity policy.
func usedAsIdentityPolicy(c *tfmodel.Config, d *tfmodel.Resource) bool {
	for typ, attr := range identityPolicies {
		for _, r := range c.OfType(typ) {
			if r.Body.Attr(attr).RefersTo(d) {
				return true
			}
		}
	}
	for _, r := range c.OfType("aws_iam_role") {
		inl, _ := r.Body.Nested("inline_policy")
		for _, b := range inl {
			if b.Attr("policy").RefersTo(d) {
				return true
			}
		}
	}
	return false
}

// documentStatement inspects one statement of an aws_iam_policy_document.
// Statements with principals belong to resource or trust policies and are
// skipped, unless the document is attached as an identity policy.
func documentStatement(d *tfmodel.Resource, s *tfmodel.Block, identity bool) []check.Finding {
	effect, known := s.String("effect", "Allow")
	if !known || effect != "Allow" {
		return nil
	}
	if p, maybe := s.Nested("principals"); !identity && (len(p) > 0 || maybe) {
		return nil
	}
	if p, maybe := s.Nested("not_principals"); !identity && (len(p) > 0 || maybe) {
		return nil
	}
	actions, known := s.Strings("actions")
	if !known {
		return nil
	}
	w := wildcardAction(actions)
	if w == "" {
		return nil
	}
	resources, _ := s.Strings("resources")
	return []check.Finding{d.Finding(rIAMWildcard, s.RangeOf("actions"), wildcardMessage(w, resources))}
}
