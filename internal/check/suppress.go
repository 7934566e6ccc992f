package check

import (
	"bytes"
	"regexp"
	"strings"

	"ferry.dev/ferry/internal/platform"
)

// Directive is one `ferry:ignore RULE-ID[,RULE-ID…] reason` comment.
type Directive struct {
	RuleIDs []string
	Reason  string
	At      Location // where the comment is
	// Target is the line the directive applies to: its own line for a
	// trailing comment, else the next line that is neither blank nor a
	// comment (so stacked directives share one target).
	Target int
}

const ignoreMarker = "ferry:ignore"

var ruleIDPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$`)

// ParseSuppressions finds `ferry:ignore` directives in a file's comments
// (`#`, `//` or `/*` style). Malformed directives — no rule, a blanket
// `*`/`all`, no reason — come back as findings and are not returned as
// directives, so they silence nothing.
func ParseSuppressions(file string, data []byte) ([]Directive, []Finding) {
	if !bytes.Contains(data, []byte(ignoreMarker)) {
		return nil, nil
	}
	lines := strings.Split(string(data), "\n")
	var dirs []Directive
	var bad []Finding
	for i, line := range lines {
		col := markerColumn(line)
		if col < 0 {
			continue
		}
		at := Location{File: file, Line: i + 1, Column: col + 1}
		d, f := parseDirective(line[col+len(ignoreMarker):], at)
		if f != nil {
			bad = append(bad, *f)
			continue
		}
		d.Target = i + 1
		if strings.TrimSpace(commentPrefix(line[:col])) == "" {
			d.Target = nextCodeLine(lines, i+1)
		}
		dirs = append(dirs, d)
	}
	return dirs, bad
}

// markerColumn returns the byte offset of `ferry:ignore` when it sits in a
// comment, else -1.
func markerColumn(line string) int {
	idx := strings.Index(line, ignoreMarker)
	if idx < 0 {
		return -1
	}
	before := strings.TrimRight(line[:idx], " \t")
	for _, c := range []string{"#", "//", "/*"} {
		if strings.HasSuffix(before, c) {
			return idx
		}
	}
	return -1
}

// commentPrefix strips the comment opener so only code before it remains.
func commentPrefix(s string) string {
	s = strings.TrimRight(s, " \t")
	for _, c := range []string{"/*", "//", "#"} {
		if strings.HasSuffix(s, c) {
			return strings.TrimSuffix(s, c)
		}
	}
	return s
}

func parseDirective(rest string, at Location) (Directive, *Finding) {
	rest = strings.TrimSuffix(strings.TrimSpace(rest), "*/")
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return Directive{}, suppressionFinding(RuleSuppressionBroad, at, "ferry:ignore names no rule; name the rule IDs to silence")
	}
	var ids []string
	for id := range strings.SplitSeq(fields[0], ",") {
		id = strings.TrimSpace(id)
		switch {
		case id == "":
			continue
		case id == "*" || strings.EqualFold(id, "all"):
			return Directive{}, suppressionFinding(RuleSuppressionBroad, at, "blanket ferry:ignore is not allowed; name the rule IDs to silence")
		case !ruleIDPattern.MatchString(id):
			return Directive{}, suppressionFinding(RuleSuppressionBroad, at, "ferry:ignore names a malformed rule ID; use IDs like FERRY-K8S-001")
		}
		ids = append(ids, id)
	}
	reason := strings.TrimSpace(strings.Join(fields[1:], " "))
	if reason == "" || len(ids) == 0 {
		return Directive{}, suppressionFinding(RuleSuppressionReason, at, "ferry:ignore "+strings.Join(ids, ",")+" has no reason; the suppression is ignored")
	}
	return Directive{RuleIDs: ids, Reason: reason, At: at}, nil
}

func suppressionFinding(id string, at Location, msg string) *Finding {
	sev := platform.SeverityMedium
	return &Finding{RuleID: id, Severity: sev, Message: msg, Location: at}
}

// nextCodeLine returns the 1-based number of the first line from index i on
// that is not blank, not a comment and not a YAML document separator.
func nextCodeLine(lines []string, i int) int {
	for ; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if t == "" || t == "---" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "//") {
			continue
		}
		return i + 1
	}
	return len(lines) + 1
}

// Suppressor applies directives to findings.
type Suppressor struct {
	byFile map[string][]Directive
	known  func(id string) bool
}

// NewSuppressor indexes directives by file. known reports whether a rule ID
// exists; directives naming unknown IDs are reported by Unknown.
func NewSuppressor(dirs []Directive, known func(string) bool) *Suppressor {
	s := &Suppressor{byFile: map[string][]Directive{}, known: known}
	for _, d := range dirs {
		s.byFile[d.At.File] = append(s.byFile[d.At.File], d)
	}
	return s
}

// Apply marks findings matched by a directive: same rule, and the
// directive's target line is the finding's line or the first line of the
// finding's enclosing block or document.
func (s *Suppressor) Apply(fs []Finding) {
	for i := range fs {
		f := &fs[i]
		if f.Suppressed != nil || isMetaRule(f.RuleID) {
			continue
		}
		for _, d := range s.byFile[f.Location.File] {
			if !d.covers(f) {
				continue
			}
			f.Suppressed = &Suppression{Reason: d.Reason, Source: "inline", At: d.At}
			break
		}
	}
}

// Unknown returns findings for directives naming rules that do not exist.
func (s *Suppressor) Unknown() []Finding {
	var out []Finding
	for _, dirs := range s.byFile {
		for _, d := range dirs {
			for _, id := range d.RuleIDs {
				if s.known != nil && !s.known(id) {
					out = append(out, *suppressionFinding(RuleSuppressionBroad, d.At, "ferry:ignore names unknown rule "+id))
				}
			}
		}
	}
	return out
}

func (d Directive) covers(f *Finding) bool {
	hit := false
	for _, id := range d.RuleIDs {
		if id == f.RuleID {
			hit = true
		}
	}
	if !hit {
		return false
	}
	if d.Target == f.Location.Line {
		return true
	}
	return f.Enclosing != nil && f.Enclosing.File == f.Location.File && d.Target == f.Enclosing.Line
}

// isMetaRule: findings about suppressions cannot themselves be suppressed.
func isMetaRule(id string) bool {
	return id == RuleSuppressionReason || id == RuleSuppressionBroad
}
