package report

import (
	"encoding/json"
	"io"

	"ferry.dev/ferry/internal/check"
)

// jsonReport is the stable JSON shape of `ferry validate --format json`.
type jsonReport struct {
	Tool        string          `json:"tool"`
	Version     string          `json:"version"`
	Passed      bool            `json:"passed"`
	FailOn      check.Severity  `json:"failOn"`
	Summary     jsonSummary     `json:"summary"`
	Envs        []string        `json:"envs"`
	Policies    []string        `json:"policies"`
	Findings    []check.Finding `json:"findings"`
	Suppressed  []check.Finding `json:"suppressed"`
	RulesFiring []check.Rule    `json:"rules"`
}

type jsonSummary struct {
	Files      int            `json:"files"`
	Documents  int            `json:"documents"`
	Counts     map[string]int `json:"counts"`
	Failing    int            `json:"failing"`
	Suppressed int            `json:"suppressed"`
}

// JSON writes the report as indented JSON. Lists are never null.
func JSON(w io.Writer, r *Report) error {
	active, suppressed := r.split()
	out := jsonReport{
		Tool: r.Tool, Version: r.Version, Passed: r.Passed(), FailOn: r.FailOn,
		Summary: jsonSummary{Files: r.Files, Documents: r.Documents, Counts: r.counts(),
			Failing: r.Failing(), Suppressed: len(suppressed)},
		Envs: nonNil(r.Envs), Policies: nonNil(r.Policies),
		Findings: nonNil(active), Suppressed: nonNil(suppressed), RulesFiring: nonNil(r.usedRules()),
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
