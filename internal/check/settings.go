package check

import (
	"fmt"
	"sort"

	"ferry.dev/ferry/internal/platform"
)

// ApplySettings applies ferry.yaml `spec.checks.rules`: a severity override
// re-rates a rule's findings; `disabled: true` with a reason suppresses them
// (listed in the report, source "ferry.yaml"). A disabled rule without a
// reason stays active and is itself reported. configFile locates settings
// problems. It returns the findings about the settings themselves.
func ApplySettings(fs []Finding, rules map[string]platform.RuleConfig, reg *Registry, configFile string) []Finding {
	var problems []Finding
	at := Location{File: configFile}
	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	active := map[string]platform.RuleConfig{}
	for _, id := range ids {
		rc := rules[id]
		if reg != nil {
			if _, ok := reg.Lookup(id); !ok {
				problems = append(problems, *suppressionFinding(RuleSuppressionBroad, at,
					fmt.Sprintf("spec.checks.rules names unknown rule %s", id)))
				continue
			}
		}
		if rc.Disabled && rc.Reason == "" {
			problems = append(problems, *suppressionFinding(RuleSuppressionReason, at,
				fmt.Sprintf("spec.checks.rules.%s disables the rule without a reason; it stays enabled", id)))
			rc.Disabled = false
		}
		active[id] = rc
	}
	for i := range fs {
		rc, ok := active[fs[i].RuleID]
		if !ok || isMetaRule(fs[i].RuleID) {
			continue
		}
		if rc.Severity != "" {
			fs[i].Severity = rc.Severity
		}
		if rc.Disabled && fs[i].Suppressed == nil {
			fs[i].Suppressed = &Suppression{Reason: rc.Reason, Source: "ferry.yaml", At: at}
		}
	}
	return problems
}
