package flow

import (
	"context"
	"fmt"
	"strings"

	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// StartResult is a created topic branch.
type StartResult struct {
	Kind   string `json:"kind"`
	Branch string `json:"branch"`
	From   string `json:"from"` // lane or revision it starts from
	Commit string `json:"commit"`
}

// BranchExistsError: the topic branch exists already.
type BranchExistsError struct{ Branch, Where string }

func (e *BranchExistsError) Error() string {
	return fmt.Sprintf("branch %s already exists %s", e.Branch, e.Where)
}
func (e *BranchExistsError) Hint() string { return "pick another name, or git switch " + e.Branch }

func (e *Engine) topic(kind string) (platform.Topic, error) {
	t, ok := e.P.Topic(kind)
	if !ok {
		var known []string
		for _, x := range e.P.Spec.Topics {
			known = append(known, x.Kind)
		}
		return t, &UnknownLaneError{What: "topic kind", Name: kind, Known: known}
	}
	return t, nil
}

// StartTopic creates KIND-prefix/NAME from the topic's base lane (or from),
// without touching the user's working tree.
func (e *Engine) StartTopic(ctx context.Context, kind, name, from string) (*StartResult, error) {
	t, err := e.topic(kind)
	if err != nil {
		return nil, err
	}
	if err := git.ValidateBranchName(name); err != nil {
		return nil, err
	}
	branch := t.Prefix + name
	if err := git.ValidateBranchName(branch); err != nil {
		return nil, err
	}
	if err := e.Sync(ctx); err != nil {
		return nil, err
	}
	if from == "" {
		from = t.Base
	}
	rev, err := e.resolve(ctx, from)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", branch, err)
	}
	if ok, _ := e.Repo.RefExists(ctx, "refs/heads/"+branch); ok {
		return nil, &BranchExistsError{Branch: branch, Where: "locally"}
	}
	if e.Remote != "" {
		if ok, _ := e.Repo.RefExists(ctx, "refs/remotes/"+e.Remote+"/"+branch); ok {
			return nil, &BranchExistsError{Branch: branch, Where: "on " + e.Remote}
		}
	}
	if err := e.Repo.UpdateRef(ctx, "refs/heads/"+branch, rev, "", "ferry: start "+branch); err != nil {
		return nil, fmt.Errorf("start %s: %w", branch, err)
	}
	return &StartResult{Kind: kind, Branch: branch, From: from, Commit: rev}, nil
}

// FinishOptions tune FinishTopic.
type FinishOptions struct {
	Delete   bool // delete the branch afterwards (also when the topic says so)
	Keep     bool // keep it even when the topic says delete
	Override string
}

// LaneMerge is one lane a topic was merged into.
type LaneMerge struct {
	Lane     string `json:"lane"`
	Old      string `json:"old"`
	Commit   string `json:"commit,omitempty"`
	UpToDate bool   `json:"upToDate"`
	ID       int64  `json:"promotionId,omitempty"`
}

// FinishResult is a finished topic branch.
type FinishResult struct {
	Branch   string      `json:"branch"`
	Kind     string      `json:"kind"`
	Revision string      `json:"revision"`
	Gates    []Gate      `json:"gates"`
	Merges   []LaneMerge `json:"merges"`
	Deleted  bool        `json:"deleted"` // on the remote or locally
	Notes    []string    `json:"notes,omitempty"`
	Attempts int         `json:"attempts"`

	wantDelete bool // asked to delete the branch (flag or topic setting)
}

// NotTopicError: a branch that matches no topic kind's prefix.
type NotTopicError struct {
	Branch   string
	Prefixes []string
}

func (e *NotTopicError) Error() string {
	return fmt.Sprintf("%q is not a topic branch (prefixes: %s)", e.Branch, strings.Join(e.Prefixes, ", "))
}
func (e *NotTopicError) ConfigError() bool { return true }

// CurrentBranch is the branch checked out in the repository directory.
func (e *Engine) CurrentBranch(ctx context.Context) (string, error) {
	out, err := e.Repo.Run(ctx, "symbolic-ref", "--quiet", "--short", "HEAD")
	if err != nil {
		return "", fmt.Errorf("no branch is checked out in %s: name the branch to finish", e.Repo.Dir)
	}
	return strings.TrimSpace(out), nil
}

// FinishTopic runs the checks gate on the branch and merges it (--no-ff,
// with trailers) into every lane its kind merges into, all or none.
func (e *Engine) FinishTopic(ctx context.Context, branch string, o FinishOptions) (*FinishResult, error) {
	t, err := e.topicOf(branch)
	if err != nil {
		return nil, err
	}
	defer e.releaseInflight()
	for attempt := 1; ; attempt++ {
		res, updates, err := e.planFinish(ctx, t, branch, o)
		if err != nil {
			if res != nil {
				res.Merges, res.Deleted = []LaneMerge{}, false // computed, not published
			}
			return res, err
		}
		res.Attempts = attempt
		for _, u := range updates {
			if u.New != "" {
				e.inflight(ctx, u.New)
			}
		}
		notes, err := e.publish(ctx, updates, "ferry: finish "+branch)
		res.Notes = append(res.Notes, notes...)
		if git.IsNonFastForward(err) && attempt < e.maxAttempts {
			e.logf("a lane moved while finishing %s (%v); re-planning", branch, err)
			continue
		}
		if err != nil {
			res.Merges, res.Deleted = []LaneMerge{}, false
			return res, fmt.Errorf("finish %s: %w", branch, err)
		}
		res.Notes = append(res.Notes, e.deleteLocal(ctx, res)...)
		for i, m := range res.Merges {
			if m.UpToDate {
				continue
			}
			id, err := e.record(ctx, store.Promotion{Kind: "finish", From: branch, To: m.Lane, Revision: res.Revision,
				Commit: m.Commit, Evidence: evidenceOf(res.Gates), Override: o.Override, Gates: gateRecords(res.Gates)})
			if err != nil {
				return res, err
			}
			res.Merges[i].ID = id
		}
		return res, nil
	}
}

func (e *Engine) topicOf(branch string) (platform.Topic, error) {
	if err := git.ValidateBranchName(branch); err != nil {
		return platform.Topic{}, err
	}
	t, _, ok := e.P.TopicForBranch(branch)
	if !ok {
		var pfx []string
		for _, x := range e.P.Spec.Topics {
			pfx = append(pfx, x.Prefix)
		}
		return t, &NotTopicError{Branch: branch, Prefixes: pfx}
	}
	return t, nil
}

// planFinish computes every merge in temporary worktrees and returns the
// ref updates that publish them (none when every lane has the branch).
func (e *Engine) planFinish(ctx context.Context, t platform.Topic, branch string, o FinishOptions) (*FinishResult, []git.RefUpdate, error) {
	if err := e.Sync(ctx); err != nil {
		return nil, nil, err
	}
	rev, err := e.topicHead(ctx, branch)
	if err != nil {
		return nil, nil, err
	}
	res := &FinishResult{Branch: branch, Kind: t.Kind, Revision: rev, Merges: []LaneMerge{}}
	res.Gates = e.gatedChecks(ctx, rev, true, t.MergeInto...)
	if !applyOverride(res.Gates, o.Override) {
		return res, nil, &GateError{Op: "finish of " + branch, Gates: res.Gates}
	}
	var updates []git.RefUpdate
	for _, lane := range t.MergeInto {
		if lane == e.ReleaseLane() {
			open, err := e.openRC(ctx)
			if err != nil {
				return res, nil, err
			}
			if open == "" {
				res.Notes = append(res.Notes, fmt.Sprintf("%s skipped: no release candidate is open on it", lane))
				continue
			}
			e.logf("%s carries the open release candidate %s: merging %s into it too", lane, open, branch)
		}
		m, err := e.mergeTopic(ctx, branch, rev, lane, res.Gates, o.Override)
		if err != nil {
			return res, nil, err
		}
		res.Merges = append(res.Merges, m)
		if !m.UpToDate {
			updates = append(updates, git.RefUpdate{Ref: "refs/heads/" + lane, New: m.Commit, Old: m.Old})
		}
	}
	res.wantDelete = (o.Delete || t.DeleteOnFinish) && !o.Keep
	if res.wantDelete && e.Remote != "" {
		if h, err := e.Repo.RemoteHead(ctx, e.Remote, branch); err == nil {
			updates = append(updates, git.RefUpdate{Ref: "refs/heads/" + branch, Old: h})
			res.Deleted = true // with the publish, all or nothing
		}
	}
	return res, updates, nil
}

// topicHead prefers the local branch (the developer's work), else the remote's.
func (e *Engine) topicHead(ctx context.Context, branch string) (string, error) {
	if h, err := e.Repo.BranchHead(ctx, branch); err == nil {
		return h, nil
	}
	if e.Remote != "" {
		return e.Repo.RemoteHead(ctx, e.Remote, branch)
	}
	return "", &git.RefError{Ref: branch, Err: git.ErrUnknownRef, Msg: "no such branch"}
}

func (e *Engine) mergeTopic(ctx context.Context, branch, rev, lane string, gates []Gate, override string) (LaneMerge, error) {
	m := LaneMerge{Lane: lane}
	var err error
	if m.Old, err = e.branchHead(ctx, lane); err != nil {
		return m, err
	}
	if m.UpToDate, err = e.Repo.IsAncestor(ctx, rev, m.Old); err != nil || m.UpToDate {
		return m, err
	}
	msg := git.Message(fmt.Sprintf("Finish %s into %s", branch, lane), "",
		e.trailerSet(TrailerFinish, branch+" -> "+lane, rev, evidenceOf(gates), override))
	err = e.Repo.WithWorktree(ctx, m.Old, func(w *git.Worktree) error {
		m.Commit, err = w.MergeNoFF(ctx, rev, lane, msg)
		return err
	})
	return m, err
}

// deleteLocal removes the finished local branch unless it is checked out.
func (e *Engine) deleteLocal(ctx context.Context, res *FinishResult) []string {
	if !res.wantDelete {
		return nil
	}
	h, err := e.Repo.BranchHead(ctx, res.Branch)
	if err != nil {
		return nil
	}
	if dirs, _ := e.Repo.CheckedOutIn(ctx, res.Branch); len(dirs) > 0 {
		return []string{fmt.Sprintf("local %s is checked out in %s and was kept", res.Branch, dirs[0])}
	}
	if err := e.Repo.UpdateRefs(ctx, []git.RefUpdate{{Ref: "refs/heads/" + res.Branch, Old: h}}, "ferry: finish"); err != nil {
		return []string{fmt.Sprintf("local %s not deleted: %v", res.Branch, err)}
	}
	res.Deleted = true
	return nil
}

// openRC returns the release candidate tag the release lane carries when no
// final release of that version exists yet ("" when none is open). A topic
// kind that merges into the release lane reaches it only then.
func (e *Engine) openRC(ctx context.Context) (string, error) {
	head, err := e.branchHead(ctx, e.ReleaseLane())
	if err != nil {
		return "", err
	}
	pfx := e.tagPrefix()
	tag, err := e.Repo.Describe(ctx, head, pfx+"[0-9]*", "")
	if err != nil || tag == "" {
		return "", err
	}
	v, err := ParseVersion(pfx, tag)
	if err != nil || v.RC() == 0 {
		return "", nil
	}
	if ok, _ := e.Repo.RefExists(ctx, "refs/tags/"+pfx+v.Core().String()); ok {
		return "", nil
	}
	return tag, nil
}
