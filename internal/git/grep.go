package git

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// GrepMatch is one line of a revision that contains a fixed string.
type GrepMatch struct {
	File string
	Line int
	Text string
}

// GrepFixed lists the lines of rev's tree (text files) that contain s, in
// one git process; none is not an error.
func (r *Repo) GrepFixed(ctx context.Context, rev, s string) ([]GrepMatch, error) {
	if strings.HasPrefix(rev, "-") { // git grep (2.39) takes no --end-of-options
		return nil, &RefError{Ref: rev, Err: ErrInvalidName, Msg: "not a revision"}
	}
	out, err := r.Run(ctx, "grep", "-z", "-n", "-I", "-F", "--no-color", "-e", s, rev, "--")
	var ce *CommandError
	if errors.As(err, &ce) && ce.ExitCode == 1 && strings.TrimSpace(ce.Stderr) == "" {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("grep %s: %w", short(rev), err)
	}
	return parseGrep(out, rev+":", s), nil
}

// parseGrep reads `git grep -z -n REV` output, records of
// "REV:PATH\x00LINE\x00TEXT\n"; malformed ones are skipped.
func parseGrep(out, prefix, s string) []GrepMatch {
	var ms []GrepMatch
	for rec := range strings.SplitSeq(out, "\n") {
		path, rest, ok := strings.Cut(rec, "\x00")
		if !ok {
			continue
		}
		num, text, ok := strings.Cut(rest, "\x00")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n <= 0 {
			continue
		}
		path = strings.TrimPrefix(path, prefix)
		if path == "" || !strings.Contains(text, s) {
			continue
		}
		ms = append(ms, GrepMatch{File: path, Line: n, Text: text})
	}
	return ms
}
