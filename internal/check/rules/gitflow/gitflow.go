package gitflow

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/platform"
)

// Rule IDs.
const (
	RuleCommitMessage = "FERRY-CMP-060"
	RuleBranchName    = "FERRY-CMP-061"
)

// Rules returns the metadata of the workflow rules.
func Rules() []check.Rule {
	return []check.Rule{
		{ID: RuleCommitMessage, Domain: "compliance", Severity: platform.SeverityMedium,
			Title:       "Commit message is not a Conventional Commit",
			Rationale:   "Release versions and changelogs are computed from Conventional Commits (feat → minor, fix → patch, ! → major); other messages are invisible to them.",
			Remediation: "Reword the commit as `type(scope): summary`, type one of " + strings.Join(commitTypes, ", ") + "; mark breaking changes with `!` or a BREAKING CHANGE footer.",
			HelpURL:     "https://www.conventionalcommits.org/en/v1.0.0/"},
		{ID: RuleBranchName, Domain: "compliance", Severity: platform.SeverityMedium,
			Title:       "Branch name does not follow the topic naming",
			Rationale:   "ferry finds a topic's base and target lanes from its prefix; a branch outside the naming cannot be started, finished or traced.",
			Remediation: "Name topic branches <prefix><name> with a prefix from ferry.yaml spec.topics (e.g. feature/aws-foundation) and a lowercase name of letters, digits, '.', '_' and '-'."},
	}
}

var commitTypes = []string{"feat", "fix", "docs", "style", "refactor", "perf", "test", "build", "ci", "chore", "revert"}

var conventional = regexp.MustCompile(`^(` + strings.Join(commitTypes, "|") + `)(\([A-Za-z0-9_./\-, ]+\))?!?: \S`)

// CheckMessage returns why subject is not a Conventional Commit, or "".
func CheckMessage(subject string) string {
	switch {
	case conventional.MatchString(subject):
		return ""
	case strings.TrimSpace(subject) == "":
		return "empty subject"
	case strings.HasPrefix(subject, "fixup!") || strings.HasPrefix(subject, "squash!"):
		return "fixup/squash commit left in the range"
	}
	if i := strings.Index(subject, ":"); i > 0 {
		typ := strings.TrimSuffix(strings.SplitN(subject[:i], "(", 2)[0], "!")
		if !conventional.MatchString(strings.ToLower(typ) + ": x") {
			return fmt.Sprintf("unknown type %q", typ)
		}
		return "malformed header (want `type(scope): summary` with a space after the colon)"
	}
	return "no `type: ` prefix"
}

// CheckCommits judges every commit of a range. Merge commits and ferry's own
// commits (with Ferry-* trailers) are exempt: git and ferry write those.
func CheckCommits(commits []git.Commit) []check.Finding {
	var out []check.Finding
	for _, c := range commits {
		if len(c.Parents) > 1 || c.HasTrailerPrefix("Ferry-") {
			continue
		}
		why := CheckMessage(c.Subject)
		if why == "" {
			continue
		}
		out = append(out, check.Finding{RuleID: RuleCommitMessage, Severity: platform.SeverityMedium,
			Message:  fmt.Sprintf("commit %s %q: %s", short(c.ID), c.Subject, why),
			Location: check.Location{File: "commit:" + short(c.ID)}, Resource: "commit/" + c.ID})
	}
	return out
}

// Commits reads the commits of rangeSpec (e.g. "develop..feature/x").
func Commits(ctx context.Context, repo *git.Repo, rangeSpec string) ([]git.Commit, error) {
	if strings.HasPrefix(rangeSpec, "-") {
		return nil, fmt.Errorf("read commits %q: a range cannot start with '-'", rangeSpec)
	}
	cs, err := repo.Log(ctx, rangeSpec)
	if err != nil {
		return nil, fmt.Errorf("read commits %s: %w", rangeSpec, err)
	}
	return cs, nil
}

var topicName = regexp.MustCompile(`^[a-z0-9][a-z0-9._\-]*(/[a-z0-9][a-z0-9._\-]*)*$`)

// CheckBranch judges a branch name against the platform's lanes and topics.
// Lanes and detached HEADs pass; anything else must be <topic prefix><name>.
func CheckBranch(branch string, p *platform.Platform) []check.Finding {
	if branch == "" || branch == "HEAD" || p == nil {
		return nil
	}
	if _, ok := p.Lane(branch); ok {
		return nil
	}
	bad := func(msg string) []check.Finding {
		return []check.Finding{{RuleID: RuleBranchName, Severity: platform.SeverityMedium, Message: msg,
			Location: check.Location{File: platform.FileName}, Resource: "branch/" + branch}}
	}
	_, name, ok := p.TopicForBranch(branch)
	if !ok {
		var prefixes []string
		for _, t := range p.Spec.Topics {
			prefixes = append(prefixes, t.Prefix+"NAME")
		}
		return bad(fmt.Sprintf("branch %q is neither a lane nor a topic branch (%s)", branch, strings.Join(prefixes, ", ")))
	}
	if !topicName.MatchString(name) {
		return bad(fmt.Sprintf("branch %q: topic name %q must be lowercase letters, digits, '.', '_' or '-'", branch, name))
	}
	return nil
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
