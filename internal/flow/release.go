package flow

import (
	"context"
	"fmt"

	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/store"
)

// ReleaseOptions tune Release.
type ReleaseOptions struct {
	RC       bool
	Bump     Bump // BumpNone: from the commits
	DryRun   bool
	Override string
}

// VersionPlan is the next version and what it is computed from.
type VersionPlan struct {
	Previous string         `json:"previous,omitempty"` // last final version tag, "" if none
	Tag      string         `json:"tag"`
	Version  string         `json:"version"`
	Bump     string         `json:"bump"`
	Changes  []Conventional `json:"changes"`
}

// ReleaseResult is a finished (or dry-run) release.
type ReleaseResult struct {
	Plan
	VersionPlan
	DryRun      bool     `json:"dryRun"`
	Changelog   string   `json:"changelog"`
	Commit      string   `json:"commit,omitempty"`
	PromotionID int64    `json:"promotionId,omitempty"`
	Attempts    int      `json:"attempts"`
	Notes       []string `json:"notes,omitempty"`
}

// TagExistsError: the version to write is already a tag.
type TagExistsError struct{ Tag string }

func (e *TagExistsError) Error() string { return fmt.Sprintf("tag %s already exists", e.Tag) }
func (e *TagExistsError) Hint() string {
	return "choose another version with --bump, or delete the stray tag if it was made by hand"
}

// NothingToReleaseError: no commits since the last version.
type NothingToReleaseError struct {
	Previous   string
	RolledBack string // the release lane is rolled back to this tag
	Env        string // the environment the release lane feeds
}

func (e *NothingToReleaseError) Error() string {
	return fmt.Sprintf("nothing to release: no commits since %s", e.Previous)
}

// Hint says how to roll forward when the lane was rolled back.
func (e *NothingToReleaseError) Hint() string {
	if e.RolledBack == "" || e.Env == "" {
		return ""
	}
	return fmt.Sprintf("the release lane is rolled back to %s; to return to %s: ferry rollback %s --to %s", e.RolledBack, e.Previous, e.Env, e.Previous)
}

// ReleaseLane is the last lane, where versions are tagged.
func (e *Engine) ReleaseLane() string {
	return e.P.Spec.Lanes[len(e.P.Spec.Lanes)-1].Name
}

func (e *Engine) tagPrefix() string { return e.P.Spec.Versioning.TagPrefix }

// LastVersion is the nearest final version tag reachable from rev ("" if
// none). Its cost is the distance to that tag, not the history length.
func (e *Engine) LastVersion(ctx context.Context, rev string) (string, error) {
	pfx := e.tagPrefix()
	return e.Repo.Describe(ctx, rev, pfx+"[0-9]*", pfx+"*-*")
}

// NextVersion computes the version a release of candidate would carry.
func (e *Engine) NextVersion(ctx context.Context, candidate string, bump Bump, rc bool) (*VersionPlan, error) {
	vp := &VersionPlan{Changes: []Conventional{}}
	var err error
	if relHead, herr := e.branchHead(ctx, e.ReleaseLane()); herr == nil {
		if vp.Previous, err = e.LastVersion(ctx, relHead); err != nil {
			return nil, err
		}
	}
	if vp.Previous == "" {
		if vp.Previous, err = e.LastVersion(ctx, candidate); err != nil {
			return nil, err
		}
	}
	prev := Version{}
	args := []string{"--no-merges", candidate}
	if vp.Previous != "" {
		if prev, err = ParseVersion(e.tagPrefix(), vp.Previous); err != nil {
			return nil, err
		}
		args = append(args, "^"+vp.Previous)
	}
	commits, err := e.Repo.Log(ctx, args...)
	if err != nil {
		return nil, err
	}
	for _, c := range commits {
		vp.Changes = append(vp.Changes, ParseConventional(c.ID, c.Subject, c.Body))
	}
	if len(vp.Changes) == 0 && vp.Previous != "" && bump == BumpNone {
		return vp, &NothingToReleaseError{Previous: vp.Previous}
	}
	if bump == BumpNone {
		bump = max(BumpOf(vp.Changes), BumpPatch)
	}
	vp.Bump = bump.String()
	next := prev.Apply(bump)
	if vp.Previous == "" && len(commits) > 0 && bump == BumpPatch {
		next = Version{Minor: 1} // a first release is 0.1.0
	}
	if rc {
		n, err := e.nextRC(ctx, next)
		if err != nil {
			return nil, err
		}
		next.Pre = fmt.Sprintf("rc.%d", n)
	}
	vp.Version = next.String()
	vp.Tag = e.tagPrefix() + vp.Version
	return vp, nil
}

// nextRC counts up from the highest existing rc tag of v.
func (e *Engine) nextRC(ctx context.Context, v Version) (int, error) {
	tags, err := e.Repo.Tags(ctx, e.tagPrefix()+v.Core().String()+"-rc.*")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range tags {
		if tv, err := ParseVersion(e.tagPrefix(), t); err == nil && tv.RC() > n {
			n = tv.RC()
		}
	}
	return n + 1, nil
}

// Release promotes main's head into the release lane with a commit that
// prepends the changelog section, and tags it — lane and tag land together.
func (e *Engine) Release(ctx context.Context, o ReleaseOptions) (*ReleaseResult, error) {
	lane := e.ReleaseLane()
	pr, err := e.promotionTo(lane)
	if err != nil {
		return nil, err
	}
	defer e.releaseInflight()
	for attempt := 1; ; attempt++ {
		if err := e.Sync(ctx); err != nil {
			return nil, err
		}
		e.recoverRecords(ctx, lane)
		plan, err := e.plan(ctx, pr, o.Override, "")
		if err != nil {
			return nil, err
		}
		res := &ReleaseResult{Plan: *plan, DryRun: o.DryRun, Attempts: attempt}
		if plan.Candidate == "" || (!plan.UpToDate && !plan.Allowed) {
			return res, &GateError{Op: "release into " + lane, Gates: plan.Gates, NoCandidate: plan.Candidate == ""}
		}
		vp, err := e.NextVersion(ctx, plan.Candidate, o.Bump, o.RC)
		if nt, ok := err.(*NothingToReleaseError); ok && plan.RolledBack != "" {
			nt.RolledBack = plan.RolledBack
			if env, ok := e.P.EnvForLane(lane); ok {
				nt.Env = env.Name
			}
		}
		if err != nil {
			res.Notes = e.catchUp(ctx, lane)
			return res, err
		}
		res.VersionPlan = *vp
		if ok, _ := e.Repo.RefExists(ctx, "refs/tags/"+vp.Tag); ok {
			return res, &TagExistsError{Tag: vp.Tag}
		}
		res.Changelog = ChangelogSection(vp.Tag, e.now(), vp.Changes)
		if o.DryRun {
			return res, nil
		}
		res.Commit, res.Notes, err = e.executeRelease(ctx, plan, vp.Tag, res.Changelog)
		if git.IsNonFastForward(err) && attempt < e.maxAttempts {
			e.logf("%s or tag %s moved while releasing (%v); re-planning", lane, vp.Tag, err)
			continue
		}
		if err != nil {
			res.Commit = "" // made but not published: not on the lane
			return res, fmt.Errorf("release %s: %w", vp.Tag, err)
		}
		res.PromotionID, err = e.record(ctx, store.Promotion{Kind: "release", From: plan.From, To: lane,
			Revision: plan.Candidate, Commit: res.Commit, Version: vp.Tag, Evidence: evidenceOf(plan.Gates), Override: o.Override,
			Gates: gateRecords(plan.Gates), Changelog: res.Changelog})
		return res, err
	}
}

func (e *Engine) executeRelease(ctx context.Context, p *Plan, tag, section string) (string, []string, error) {
	ts := e.trailerSet(TrailerRelease, tag, p.Candidate, evidenceOf(p.Gates), p.Override)
	ts = append([]git.Trailer{{Key: TrailerPromotion, Value: p.From + " -> " + p.To}}, ts...)
	msg := git.Message("Release "+tag, "", ts)
	commit, err := e.promotionCommit(ctx, p, msg, section)
	if err != nil {
		return "", nil, err
	}
	tagObj, err := e.Repo.MakeTag(ctx, tag, commit, section)
	if err != nil {
		return "", nil, err
	}
	crashPoint("tagged")
	e.inflight(ctx, commit)
	notes, err := e.publish(ctx, []git.RefUpdate{
		{Ref: "refs/heads/" + p.To, New: commit, Old: p.Target},
		{Ref: "refs/tags/" + tag, New: tagObj},
	}, "ferry: release "+tag)
	return commit, notes, err
}
