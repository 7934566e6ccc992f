package scan

import (
	"cmp"
	"slices"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/store"
)

// storedFindings is what a check run records of its findings: unsuppressed
// ones first, most severe first, then by file and line, each with its
// rule's documentation link; at most store.MaxFindings, the most severe.
// Messages are the rules' own, which never quote a secret.
func storedFindings(fs []check.Finding) []store.Finding {
	reg, _ := Registry()
	sorted := slices.Clone(fs)
	slices.SortStableFunc(sorted, func(a, b check.Finding) int {
		return cmp.Or(
			cmp.Compare(boolRank(a.Suppressed != nil), boolRank(b.Suppressed != nil)),
			-cmp.Compare(check.SeverityRank(a.Severity), check.SeverityRank(b.Severity)),
			cmp.Compare(a.Location.File, b.Location.File),
			cmp.Compare(a.Location.Line, b.Location.Line),
			cmp.Compare(a.RuleID, b.RuleID))
	})
	out := make([]store.Finding, 0, min(len(sorted), store.MaxFindings))
	for _, f := range sorted[:min(len(sorted), store.MaxFindings)] {
		sf := store.Finding{Rule: f.RuleID, Severity: string(f.Severity), File: f.Location.File, Line: f.Location.Line,
			Message: f.Message, Resource: f.Resource, Env: f.Env}
		if reg != nil {
			if r, ok := reg.Lookup(f.RuleID); ok {
				sf.Doc = r.DocURL()
			}
		}
		if f.Suppressed != nil {
			sf.Suppressed = f.Suppressed.Reason
			if sf.Suppressed == "" {
				sf.Suppressed = "suppressed"
			}
		}
		out = append(out, sf)
	}
	return out
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
