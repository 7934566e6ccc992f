package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"ferry.dev/ferry/internal/check"
)

var colors = map[check.Severity]string{
	"critical": "\x1b[1;35m", "high": "\x1b[31m", "medium": "\x1b[33m", "low": "\x1b[36m",
}

const (
	bold  = "\x1b[1m"
	dim   = "\x1b[2m"
	reset = "\x1b[0m"
)

// Text writes findings grouped by file, then the suppressions, then a
// summary line.
func Text(w io.Writer, r *Report, o Options) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !o.Color {
			return s
		}
		return code + s + reset
	}
	active, suppressed := r.split()
	file := "\x00"
	for _, f := range active {
		if f.Location.File != file {
			if file != "\x00" {
				fmt.Fprintln(bw)
			}
			file = f.Location.File
			fmt.Fprintln(bw, paint(bold, file))
		}
		env := ""
		if f.Env != "" {
			env = " " + paint(dim, "["+f.Env+"]")
		}
		fmt.Fprintf(bw, "  %-7s %s %s %s%s\n", position(f.Location),
			paint(colors[f.Severity], fmt.Sprintf("%-8s", f.Severity)), f.RuleID, f.Message, env)
	}
	if len(suppressed) > 0 {
		if len(active) > 0 {
			fmt.Fprintln(bw)
		}
		fmt.Fprintln(bw, paint(bold, fmt.Sprintf("Suppressed (%d)", len(suppressed))))
		for _, f := range suppressed {
			fmt.Fprintf(bw, "  %s %s %s — %s (%s)\n", atString(f.Location), f.RuleID,
				f.Message, f.Suppressed.Reason, source(f.Suppressed))
		}
	}
	if len(active)+len(suppressed) > 0 {
		fmt.Fprintln(bw)
	}
	fmt.Fprintln(bw, summaryLine(r, paint))
	return bw.Flush()
}

func position(l check.Location) string {
	switch {
	case l.Line == 0:
		return "-"
	case l.Column == 0:
		return fmt.Sprint(l.Line)
	}
	return fmt.Sprintf("%d:%d", l.Line, l.Column)
}

func atString(l check.Location) string {
	if l.Line == 0 {
		return l.File
	}
	return fmt.Sprintf("%s:%d", l.File, l.Line)
}

func source(s *check.Suppression) string {
	if s.Source == "inline" {
		return "ferry:ignore at " + atString(s.At)
	}
	return s.Source + " spec.checks.rules"
}

func summaryLine(r *Report, paint func(code, s string) string) string {
	c := r.counts()
	var parts []string
	total := 0
	for _, s := range severities {
		if c[string(s)] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[string(s)], s))
			total += c[string(s)]
		}
	}
	_, suppressed := r.split()
	line := fmt.Sprintf("%d files, %d documents checked", r.Files, r.Documents)
	if len(r.Envs) > 0 {
		line += " (environments: " + strings.Join(r.Envs, ", ") + ")"
	}
	line += fmt.Sprintf(": %d findings", total)
	if len(parts) > 0 {
		line += " (" + strings.Join(parts, ", ") + ")"
	}
	if len(suppressed) > 0 {
		line += fmt.Sprintf(", %d suppressed", len(suppressed))
	}
	if r.Passed() {
		return line + "; " + paint("\x1b[32m", "passed") + " at fail-on " + string(r.FailOn)
	}
	return line + "; " + paint("\x1b[1;31m", "failed") + fmt.Sprintf(": %d at or above %s", r.Failing(), r.FailOn)
}
