package report

import (
	"fmt"
	"io"
	"sort"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/platform"
)

// Formats.
const (
	FormatText  = "text"
	FormatJSON  = "json"
	FormatSARIF = "sarif"
	FormatJUnit = "junit"
)

// Formats lists the supported formats.
var Formats = []string{FormatText, FormatJSON, FormatSARIF, FormatJUnit}

// Report is what every format renders.
type Report struct {
	Tool      string
	Version   string
	Findings  []check.Finding // suppressed ones included, marked
	Rules     []check.Rule    // metadata for every rule a finding may name
	FailOn    check.Severity
	Files     int
	Documents int
	Envs      []string
	Policies  []string
}

// Options tune rendering.
type Options struct {
	Color bool // ANSI colour in text output (only on a terminal)
}

// Write renders r in format.
func Write(w io.Writer, format string, r *Report, o Options) error {
	switch format {
	case FormatText:
		return Text(w, r, o)
	case FormatJSON:
		return JSON(w, r)
	case FormatSARIF:
		return SARIF(w, r)
	case FormatJUnit:
		return JUnit(w, r)
	}
	return fmt.Errorf("write report: unknown format %q", format)
}

// active and suppressed split the findings.
func (r *Report) split() (active, suppressed []check.Finding) {
	for _, f := range r.Findings {
		if f.Suppressed != nil {
			suppressed = append(suppressed, f)
		} else {
			active = append(active, f)
		}
	}
	return active, suppressed
}

// Failing counts the active findings at or above the threshold.
func (r *Report) Failing() int {
	n := 0
	for _, f := range r.Findings {
		if f.Suppressed == nil && check.AtLeast(f.Severity, r.FailOn) {
			n++
		}
	}
	return n
}

// Passed reports whether no active finding reaches the threshold.
func (r *Report) Passed() bool { return r.Failing() == 0 }

// counts tallies active findings by severity.
func (r *Report) counts() map[string]int {
	c := map[string]int{}
	active, _ := r.split()
	for _, f := range active {
		c[string(f.Severity)]++
	}
	return c
}

var severities = []check.Severity{platform.SeverityCritical, platform.SeverityHigh, platform.SeverityMedium, platform.SeverityLow}

func (r *Report) ruleIndex() map[string]check.Rule {
	m := make(map[string]check.Rule, len(r.Rules))
	for _, rule := range r.Rules {
		m[rule.ID] = rule
	}
	return m
}

// usedRules are the rules findings name, sorted by ID; a finding naming an
// unknown rule gets minimal metadata so every format stays consistent.
func (r *Report) usedRules() []check.Rule {
	idx := r.ruleIndex()
	seen := map[string]bool{}
	var out []check.Rule
	for _, f := range r.Findings {
		if seen[f.RuleID] {
			continue
		}
		seen[f.RuleID] = true
		rule, ok := idx[f.RuleID]
		if !ok {
			rule = check.Rule{ID: f.RuleID, Severity: f.Severity, Title: f.RuleID}
		}
		out = append(out, rule)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
