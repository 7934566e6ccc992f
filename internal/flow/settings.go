package flow

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// A change cannot relax the gate that judges it. The checks gate of a lane
// move is judged by the settings of the target lane's head (its protected
// ferry.yaml: spec.checks and the promotions' gates), not by the
// candidate's own; a candidate that changes them is shown as doing so, and
// one that relaxes them (a higher fail-on, a disabled or re-rated rule, an
// excluded path, a new ferry:ignore, a weaker gate) needs an approval of
// the candidate for the lane or an override. Tightening passes.

// SettingsChecker is a Checker that can judge a revision by settings other
// than the ones in its own ferry.yaml.
type SettingsChecker interface {
	Checker
	CheckWith(ctx context.Context, dir, rev string, checks platform.Checks) (store.CheckRun, error)
}

// settingsReview is what a candidate changes in the settings of a target
// lane's checks gate.
type settingsReview struct {
	lane      string
	target    string           // the lane's head
	protected *platform.Checks // the lane's spec.checks (nil: no readable ferry.yaml there)
	checks    bool             // spec.checks differ at all
	relaxed   []string
	tightened []string
}

// maxSuppressionsListed bounds the new ferry:ignore comments a gate names.
const maxSuppressionsListed = 5

// reviewSettings compares candidate's gate settings with those of lane's
// head. A candidate whose ferry.yaml does not parse changes nothing here:
// the check run reports the broken file.
func (e *Engine) reviewSettings(ctx context.Context, lane, candidate string) (*settingsReview, error) {
	target, err := e.branchHead(ctx, lane)
	if err != nil {
		return nil, err
	}
	r := &settingsReview{lane: lane, target: target}
	old, err := e.platformAt(ctx, target)
	if err != nil || old == nil {
		return r, err
	}
	r.protected = &old.Spec.Checks
	cand, err := e.platformAt(ctx, candidate)
	if err != nil {
		return nil, err
	}
	if cand != nil {
		r.checks = !sameChecks(old.Spec.Checks, cand.Spec.Checks)
		r.relaxed, r.tightened = diffChecks(old.Spec.Checks, cand.Spec.Checks)
		rel, tig := diffPromotions(old.Spec.Promotions, cand.Spec.Promotions)
		r.relaxed, r.tightened = append(r.relaxed, rel...), append(r.tightened, tig...)
	}
	added, err := e.newSuppressions(ctx, target, candidate)
	if err != nil {
		return nil, err
	}
	for i, s := range added {
		if i == maxSuppressionsListed {
			r.relaxed = append(r.relaxed, fmt.Sprintf("and %d more ferry:ignore", len(added)-i))
			break
		}
		r.relaxed = append(r.relaxed, "adds "+s.String())
	}
	return r, nil
}

// platformAt parses ferry.yaml at rev (nil when rev has none or it does not
// parse: a broken file relaxes nothing, its check run fails on it).
func (e *Engine) platformAt(ctx context.Context, rev string) (*platform.Platform, error) {
	data, ok, err := e.Repo.ReadFile(ctx, rev, platform.FileName)
	if err != nil || !ok {
		return nil, err
	}
	p, err := platform.Parse(data, platform.FileName, "")
	if err != nil {
		return nil, nil
	}
	return p, nil
}

// settingsGate passes when the candidate relaxes nothing, or a person
// approved exactly this candidate for lane (`ferry approve LANE`).
func (e *Engine) settingsGate(ctx context.Context, r *settingsReview, candidate string) Gate {
	g := Gate{Name: "settings"}
	if len(r.relaxed) == 0 {
		g.Passed = true
		g.Reason = fmt.Sprintf("this change tightens the checks gate: %s", strings.Join(r.tightened, "; "))
		return g
	}
	g.Reason = fmt.Sprintf("this change relaxes the checks gate: %s", strings.Join(r.relaxed, "; "))
	ids, err := e.approvals(ctx, r.lane, candidate)
	if err != nil {
		g.Reason += "; " + err.Error()
		return g
	}
	if len(ids) == 0 {
		g.Reason += fmt.Sprintf("; the checks are judged by %s's settings until someone approves %s (`ferry approve %s`) or --override", r.lane, shortID(candidate), r.lane)
		return g
	}
	actors := sortedKeys(ids)
	for _, a := range actors {
		g.Evidence = append(g.Evidence, fmt.Sprintf("approval:%d", ids[a]))
	}
	g.Passed = true
	g.Reason += "; approved by " + strings.Join(actors, ", ")
	return g
}

// gatedChecks is the checks gate of a move of candidate into lanes, with the
// settings gate when the candidate changes what judges it: while a
// relaxation is not approved, the checks are run by the target's settings.
// Without withChecks (a promotion gated on a deployment, not on checks) it
// is the settings gate alone.
func (e *Engine) gatedChecks(ctx context.Context, candidate string, withChecks bool, lanes ...string) []Gate {
	var reviews []*settingsReview
	for _, lane := range lanes {
		r, err := e.reviewSettings(ctx, lane, candidate)
		if err != nil {
			return []Gate{{Name: "checks", Reason: fmt.Sprintf("read the checks settings of %s: %v", lane, err)}}
		}
		reviews = append(reviews, r)
	}
	var gates []Gate
	var judge *platform.Checks
	for _, r := range reviews {
		if len(r.relaxed) == 0 && len(r.tightened) == 0 {
			continue
		}
		g := e.settingsGate(ctx, r, candidate)
		if len(reviews) > 1 {
			g.Reason = r.lane + ": " + g.Reason
		}
		gates = append(gates, g)
		if !g.Passed && r.checks && judge == nil {
			judge = r.protected
		}
	}
	if !withChecks {
		return gates
	}
	return append([]Gate{e.checksGate(ctx, candidate, judge, lanesOf(reviews, judge))}, gates...)
}

func lanesOf(rs []*settingsReview, judge *platform.Checks) string {
	for _, r := range rs {
		if r.protected == judge {
			return r.lane
		}
	}
	return ""
}

var severityOrder = map[platform.Severity]int{platform.SeverityLow: 1, platform.SeverityMedium: 2, platform.SeverityHigh: 3, platform.SeverityCritical: 4}

func sameChecks(a, b platform.Checks) bool {
	rel, tig := diffChecks(a, b)
	return len(rel) == 0 && len(tig) == 0
}

// diffChecks lists how spec.checks changes from old to cur. What it cannot
// order (a new naming pattern, a severity override of a rule whose default
// it does not know) counts as relaxing.
func diffChecks(old, cur platform.Checks) (relaxed, tightened []string) {
	switch o, c := severityOrder[old.FailOn], severityOrder[cur.FailOn]; {
	case c > o:
		relaxed = append(relaxed, fmt.Sprintf("fail-on %s → %s", old.FailOn, cur.FailOn))
	case c < o:
		tightened = append(tightened, fmt.Sprintf("fail-on %s → %s", old.FailOn, cur.FailOn))
	}
	ids := make([]string, 0, len(old.Rules)+len(cur.Rules))
	for id := range old.Rules {
		ids = append(ids, id)
	}
	for id := range cur.Rules {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		o, c := old.Rules[id], cur.Rules[id]
		od, cd := o.Disabled && o.Reason != "", c.Disabled && c.Reason != ""
		switch {
		case cd && !od:
			relaxed = append(relaxed, fmt.Sprintf("disables %s (%q)", id, c.Reason))
		case od && !cd:
			tightened = append(tightened, "enables "+id)
		}
		switch os, cs := o.Severity, c.Severity; {
		case os == cs:
		case os != "" && cs != "" && severityOrder[cs] > severityOrder[os]:
			tightened = append(tightened, fmt.Sprintf("re-rates %s %s → %s", id, os, cs))
		case cs == "":
			relaxed = append(relaxed, fmt.Sprintf("drops the %s rating of %s", os, id))
		case os == "":
			relaxed = append(relaxed, fmt.Sprintf("re-rates %s to %s", id, cs))
		default:
			relaxed = append(relaxed, fmt.Sprintf("re-rates %s %s → %s", id, os, cs))
		}
	}
	add, drop := setDiff(old.Exclude, cur.Exclude)
	relaxed = appendEach(relaxed, "excludes %s from the checks", add)
	tightened = appendEach(tightened, "checks %s again", drop)
	add, drop = setDiff(old.PolicyDirs, cur.PolicyDirs)
	relaxed = appendEach(relaxed, "drops policy directory %s", drop)
	tightened = appendEach(tightened, "adds policy directory %s", add)
	add, drop = setDiff(old.RequiredTags, cur.RequiredTags)
	relaxed = appendEach(relaxed, "no longer requires tag %s", drop)
	tightened = appendEach(tightened, "requires tag %s", add)
	for _, l := range []struct {
		what     string
		old, cur []string
	}{{"region", old.AllowedRegions, cur.AllowedRegions}, {"location", old.AllowedLocations, cur.AllowedLocations}} {
		add, drop := setDiff(l.old, l.cur)
		switch {
		case len(l.old) > 0 && len(l.cur) == 0:
			relaxed = append(relaxed, "allows any "+l.what)
		case len(l.old) == 0 && len(l.cur) > 0:
			tightened = append(tightened, "restricts the "+l.what+"s to "+strings.Join(l.cur, ", "))
		default:
			relaxed = appendEach(relaxed, "allows "+l.what+" %s", add)
			tightened = appendEach(tightened, "no longer allows "+l.what+" %s", drop)
		}
	}
	switch {
	case old.NamingPattern == cur.NamingPattern:
	case cur.NamingPattern == "":
		relaxed = append(relaxed, "drops the naming pattern")
	default:
		relaxed = append(relaxed, fmt.Sprintf("changes the naming pattern to %q", cur.NamingPattern))
	}
	return relaxed, tightened
}

// diffPromotions lists how the promotions' gates change from old to cur.
func diffPromotions(old, cur []platform.Promotion) (relaxed, tightened []string) {
	for _, o := range old {
		i := slices.IndexFunc(cur, func(p platform.Promotion) bool { return p.To == o.To })
		if i < 0 {
			relaxed = append(relaxed, "removes the gates of the promotion to "+o.To)
			continue
		}
		c, at := cur[i], "promotion to "+o.To+": "
		og, cg := o.Gates, c.Gates
		flag := func(was, is bool, what string) {
			switch {
			case was && !is:
				relaxed = append(relaxed, at+"drops the "+what+" gate")
			case is && !was:
				tightened = append(tightened, at+"adds the "+what+" gate")
			}
		}
		flag(og.Checks, cg.Checks, "checks")
		flag(og.Verified, cg.Verified, "verified")
		flag(og.Deployed != "", cg.Deployed != "", "deployed")
		flag(og.Verify != nil, cg.Verify != nil, "verify")
		flag(o.Candidate == platform.CandidateVerified, c.Candidate == platform.CandidateVerified, "verified-candidate")
		switch {
		case cg.Approvals < og.Approvals:
			relaxed = append(relaxed, fmt.Sprintf("%sapprovals %d → %d", at, og.Approvals, cg.Approvals))
		case cg.Approvals > og.Approvals:
			tightened = append(tightened, fmt.Sprintf("%sapprovals %d → %d", at, og.Approvals, cg.Approvals))
		}
		if o.Auto != c.Auto && c.Auto {
			relaxed = append(relaxed, at+"becomes automatic")
		}
	}
	return relaxed, tightened
}

func setDiff(old, cur []string) (added, dropped []string) {
	for _, s := range cur {
		if !slices.Contains(old, s) {
			added = append(added, s)
		}
	}
	for _, s := range old {
		if !slices.Contains(cur, s) {
			dropped = append(dropped, s)
		}
	}
	return added, dropped
}

func appendEach(out []string, format string, items []string) []string {
	for _, s := range items {
		out = append(out, fmt.Sprintf(format, s))
	}
	return out
}
