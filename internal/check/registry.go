package check

import (
	"errors"
	"fmt"
	"sort"
)

// ErrUnknownRule is returned when a rule ID is not in the registry.
var ErrUnknownRule = errors.New("unknown rule")

// Registry holds the metadata of every rule the pipeline can report, from
// every domain. Building it is the caller's job (check/scan gathers the
// domains) so that this package imports no rule package.
type Registry struct {
	byID map[string]Rule
	ids  []string
}

// NewRegistry merges rule sets; a duplicate ID is an error because two
// domains claiming one ID would make suppressions and settings ambiguous.
func NewRegistry(sets ...[]Rule) (*Registry, error) {
	r := &Registry{byID: map[string]Rule{}}
	var errs []error
	for _, set := range sets {
		for _, rule := range set {
			if rule.ID == "" {
				errs = append(errs, errors.New("register rule: empty ID"))
				continue
			}
			if _, dup := r.byID[rule.ID]; dup {
				errs = append(errs, fmt.Errorf("register rule %s: duplicate ID", rule.ID))
				continue
			}
			if _, ok := severityRank[rule.Severity]; !ok {
				errs = append(errs, fmt.Errorf("register rule %s: bad severity %q", rule.ID, rule.Severity))
				continue
			}
			r.byID[rule.ID] = rule
			r.ids = append(r.ids, rule.ID)
		}
	}
	sort.Strings(r.ids)
	return r, errors.Join(errs...)
}

// Rules returns every rule sorted by ID.
func (r *Registry) Rules() []Rule {
	out := make([]Rule, 0, len(r.ids))
	for _, id := range r.ids {
		out = append(out, r.byID[id])
	}
	return out
}

// Lookup returns the rule with id.
func (r *Registry) Lookup(id string) (Rule, bool) {
	rule, ok := r.byID[id]
	return rule, ok
}

// Len is the number of registered rules.
func (r *Registry) Len() int { return len(r.ids) }

// SeverityRank exposes the order of severities (low=1 … critical=4, unknown 0)
// for sorting and for SARIF levels.
func SeverityRank(s Severity) int { return severityRank[s] }

// ParseSeverity validates a severity name.
func ParseSeverity(s string) (Severity, error) {
	sev := Severity(s)
	if _, ok := severityRank[sev]; !ok {
		return "", fmt.Errorf("parse severity %q: want low, medium, high or critical", s)
	}
	return sev, nil
}
