package flow

import (
	"context"
	"fmt"
	"strings"
)

// ignoreMarker is check's inline suppression (`# ferry:ignore RULE reason`).
const ignoreMarker = "ferry:ignore"

// suppression is one line of a revision that holds a ferry:ignore comment.
type suppression struct {
	File string
	Line int
	Text string // the line, trimmed
}

func (s suppression) String() string {
	text := s.Text
	if len(text) > 80 {
		text = text[:77] + "..."
	}
	return fmt.Sprintf("ferry:ignore at %s:%d (%s)", s.File, s.Line, text)
}

// newSuppressions lists candidate's ferry:ignore lines that target lacks
// (by file and text, so moving code does not count, a new comment does).
func (e *Engine) newSuppressions(ctx context.Context, target, candidate string) ([]suppression, error) {
	old, err := e.suppressionsAt(ctx, target)
	if err != nil {
		return nil, err
	}
	cur, err := e.suppressionsAt(ctx, candidate)
	if err != nil {
		return nil, err
	}
	have := map[[2]string]int{}
	for _, s := range old {
		have[[2]string{s.File, s.Text}]++
	}
	var out []suppression
	for _, s := range cur {
		k := [2]string{s.File, s.Text}
		if have[k] > 0 {
			have[k]--
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

// suppressionsAt lists rev's ferry:ignore lines.
func (e *Engine) suppressionsAt(ctx context.Context, rev string) ([]suppression, error) {
	ms, err := e.Repo.GrepFixed(ctx, rev, ignoreMarker)
	if err != nil {
		return nil, fmt.Errorf("find ferry:ignore comments: %w", err)
	}
	ss := make([]suppression, 0, len(ms))
	for _, m := range ms {
		ss = append(ss, suppression{File: m.File, Line: m.Line, Text: strings.TrimSpace(m.Text)})
	}
	return ss, nil
}
