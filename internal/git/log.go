package git

import (
	"context"
	"fmt"
	"strings"
)

// Commit is one commit as read by Log.
type Commit struct {
	ID      string
	Parents []string
	Author  string // "Name <email>"
	Date    string // committer date, ISO 8601 strict
	// AuthorDate is when the change was written (ISO 8601 strict): lead
	// time for changes starts at the oldest one of a deployment.
	AuthorDate string
	Subject    string
	Body       string // full message without the subject line
	Trailers   []Trailer
}

// Trailer is one "Key: value" line of a commit message's trailer block.
type Trailer struct {
	Key   string
	Value string
}

// Trailer returns the first value of trailer key (case-insensitive) and
// whether it was present.
func (c Commit) Trailer(key string) (string, bool) {
	for _, t := range c.Trailers {
		if strings.EqualFold(t.Key, key) {
			return t.Value, true
		}
	}
	return "", false
}

// HasTrailerPrefix reports whether any trailer key starts with prefix
// (case-insensitive), e.g. "Ferry-".
func (c Commit) HasTrailerPrefix(prefix string) bool {
	for _, t := range c.Trailers {
		if len(t.Key) >= len(prefix) && strings.EqualFold(t.Key[:len(prefix)], prefix) {
			return true
		}
	}
	return false
}

const (
	recSep   = "\x1e"
	fieldSep = "\x1f"
	logFmt   = "--format=" + "%x1e%H%x1f%P%x1f%an <%ae>%x1f%cI%x1f%aI%x1f%(trailers:only,unfold)%x1f%B"
	logField = 7
)

// Log lists commits selected by rev-list style arguments (e.g. "A..B",
// "--first-parent", "--max-count=10"), newest first. Revisions are passed
// through as given: callers validate user input first.
func (r *Repo) Log(ctx context.Context, args ...string) ([]Commit, error) {
	full := append([]string{"log", "--no-color", "--no-show-signature", logFmt}, args...)
	full = append(full, "--")
	out, err := r.Run(ctx, full...)
	if err != nil {
		return nil, fmt.Errorf("read log: %w", err)
	}
	return ParseLog(out)
}

// ParseLog parses the output of git log with Log's format.
func ParseLog(out string) ([]Commit, error) {
	var commits []Commit
	for _, rec := range strings.Split(out, recSep) {
		if strings.TrimSpace(rec) == "" {
			continue
		}
		f := strings.SplitN(rec, fieldSep, logField)
		if len(f) != logField {
			return nil, fmt.Errorf("parse log: malformed record (%d fields)", len(f))
		}
		c := Commit{ID: strings.TrimSpace(f[0]), Author: f[2], Date: f[3], AuthorDate: f[4]}
		if c.ID == "" {
			return nil, fmt.Errorf("parse log: record without commit ID")
		}
		c.Parents = strings.Fields(f[1])
		c.Trailers = ParseTrailers(f[5])
		msg := strings.TrimRight(f[6], "\n")
		c.Subject, c.Body, _ = strings.Cut(msg, "\n")
		c.Body = strings.TrimLeft(c.Body, "\n")
		commits = append(commits, c)
	}
	return commits, nil
}

// ParseTrailers parses "Key: value" lines (as printed by
// %(trailers:only,unfold)); other lines are ignored.
func ParseTrailers(s string) []Trailer {
	var ts []Trailer
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, ":")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			continue
		}
		ts = append(ts, Trailer{Key: k, Value: strings.TrimSpace(v)})
	}
	return ts
}

// Message builds a commit message: subject, optional body, and a trailer
// block. Trailer values are single-line (newlines are replaced by spaces) so
// user-supplied text cannot forge extra trailers.
func Message(subject, body string, trailers []Trailer) string {
	var b strings.Builder
	b.WriteString(oneLine(subject))
	b.WriteString("\n")
	if body = strings.TrimSpace(body); body != "" {
		b.WriteString("\n" + body + "\n")
	}
	if len(trailers) > 0 {
		b.WriteString("\n")
		for _, t := range trailers {
			fmt.Fprintf(&b, "%s: %s\n", t.Key, oneLine(t.Value))
		}
	}
	return b.String()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// RevList returns the commit IDs of a rev-list query, newest first.
func (r *Repo) RevList(ctx context.Context, args ...string) ([]string, error) {
	full := append([]string{"rev-list"}, args...)
	full = append(full, "--")
	out, err := r.Run(ctx, full...)
	if err != nil {
		return nil, fmt.Errorf("rev-list: %w", err)
	}
	return strings.Fields(out), nil
}
