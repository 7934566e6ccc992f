package dashboard

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"ferry.dev/ferry/internal/auth"
	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/scan"
	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/kube"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/view"
)

// Base is what every page shows around its content.
type Base struct {
	Title    string
	Nav      string // the active section: pipeline, checks, events
	Platform string
	User     *User
	// CSRF is the session's token, in every form.
	CSRF     string
	Flash    string
	FlashErr bool
	// Path is the page's own path: forms come back to it.
	Path string
}

// User is the logged-in principal as a page shows it.
type User struct {
	Name string
	Role string
	Envs []string
}

func userOf(p auth.Principal) *User { return &User{Name: p.Name, Role: p.Role, Envs: p.Envs} }

// can says whether p may perform a on the target, by the API's own rule.
func can(p auth.Principal, a auth.Action, t auth.Target) bool { return auth.Allow(p, a, t) == nil }

// envTarget and laneTarget name what an action acts on, as the API does.
func envTarget(p *platform.Platform, env string) auth.Target {
	return auth.Target{Env: env, Production: env != "" && env == view.ProductionEnv(p)}
}

func laneTarget(p *platform.Platform, lane string) auth.Target {
	if e, ok := p.EnvForLane(lane); ok {
		return envTarget(p, e.Name)
	}
	if pr, ok := p.PromotionTo(lane); ok {
		if e, ok := p.EnvForLane(pr.From); ok {
			return envTarget(p, e.Name)
		}
	}
	return auth.Target{}
}

// Pipeline is the page at /: every lane left to right with the
// environment it feeds and the promotion into it.
type Pipeline struct {
	Base
	Columns []Column
	// AsOf is when the lanes were read.
	AsOf string
}

// Column is one lane of the pipeline.
type Column struct {
	Lane flow.LaneStatus
	Env  *view.Environment
	// In is the promotion into this lane (nil for the first lane).
	In *Gates
	// Problem: drift, a failed or unhealthy deployment, a lane error.
	Problem bool
}

// Gates is a promotion and what its candidate waits for.
type Gates struct {
	Spec view.PromotionSpec
	Plan *flow.Plan
	Err  string
	// Waiting is what the candidate waits for: the gates that did not
	// pass, by name ("" when it may go).
	Waiting []string
	// State: up-to-date, ready, blocked, pending, no-candidate.
	State string
}

func gatesOf(spec view.PromotionSpec, plan *flow.Plan, err string) *Gates {
	g := &Gates{Spec: spec, Plan: plan, Err: err}
	switch {
	case plan == nil:
		g.State = "unknown"
	case plan.Candidate == "":
		g.State = "no-candidate"
	case plan.UpToDate:
		g.State = "up-to-date"
	case plan.Allowed:
		g.State = "ready"
	default:
		g.State = "blocked"
	}
	if plan != nil {
		for _, gt := range plan.Gates {
			if !gt.Passed && !gt.Overridden {
				g.Waiting = append(g.Waiting, gt.Name)
			}
		}
		if g.State == "blocked" && allPending(plan.Gates) {
			g.State = "pending"
		}
	}
	return g
}

// allPending: every gate that did not pass is only pending.
func allPending(gates []flow.Gate) bool {
	for _, g := range gates {
		if !g.Passed && !g.Overridden && !g.Pending {
			return false
		}
	}
	return true
}

func specOf(pv view.Platform, to string) (view.PromotionSpec, bool) {
	for _, s := range pv.Promotions {
		if s.To == to {
			return s, true
		}
	}
	return view.PromotionSpec{}, false
}

// PipelineOf builds the pipeline page from a world and the store.
func PipelineOf(ctx context.Context, w *World, st store.Store) (Pipeline, error) {
	envs, err := view.Environments(ctx, view.Source{P: w.P, Store: st, Heads: w.Heads})
	if err != nil {
		return Pipeline{}, fmt.Errorf("read environments: %w", err)
	}
	byEnv := map[string]*view.Environment{}
	for i := range envs {
		byEnv[envs[i].Name] = &envs[i]
	}
	pv := view.PlatformOf(w.P)
	page := Pipeline{Base: Base{Title: "Pipeline", Nav: "pipeline", Platform: pv.Name}, AsOf: w.At.UTC().Format("15:04:05 UTC")}
	for _, l := range w.Lanes {
		c := Column{Lane: l, Env: byEnv[l.Env], Problem: l.Error != "" || len(l.Drift) > 0}
		if spec, ok := specOf(pv, l.Lane); ok {
			c.In = gatesOf(spec, w.Plans[l.Lane], w.PlanErrs[l.Lane])
		}
		if e := c.Env; e != nil {
			c.Problem = c.Problem || e.Drift != nil || e.Deployment != nil && e.Deployment.Status == store.StatusFailed
			for _, t := range e.Targets {
				c.Problem = c.Problem || t.Revision != "" && !t.Healthy
			}
		}
		page.Columns = append(page.Columns, c)
	}
	return page, nil
}

// EnvironmentPage is /env/{env}: targets in rollout order with their
// components, health, drift, lock and history.
type EnvironmentPage struct {
	Base
	Env     view.Environment
	Targets []TargetRow
	// Deployments are the newest first; Promotions into the env's lane.
	Deployments []store.Deployment
	Promotions  []store.Promotion
	Tags        []string
	CanSync     bool
	CanRollback bool
}

// TargetRow is a target with its state and the components it runs.
type TargetRow struct {
	view.TargetState
	Context    string
	Workspace  string
	Components []ComponentRow
}

// ComponentRow is a component on a target and how the latest deployment
// went for it.
type ComponentRow struct {
	view.Component
	Status  store.Status
	Summary string
	Error   string
}

// EnvironmentOf builds the environment page.
func EnvironmentOf(ctx context.Context, w *World, st store.Store, name string, pr auth.Principal) (EnvironmentPage, error) {
	src := view.Source{P: w.P, Store: st, Heads: w.Heads}
	env, err := view.EnvironmentOf(ctx, src, name)
	if err != nil {
		return EnvironmentPage{}, err
	}
	page := EnvironmentPage{Base: Base{Title: "Environment " + name, Nav: "pipeline", Platform: w.P.Metadata.Name}, Env: env}
	if page.Deployments, err = st.Deployments(ctx, store.DeploymentFilter{Env: name, Limit: 20}); err != nil {
		return page, err
	}
	if page.Promotions, err = st.Promotions(ctx, store.PromotionFilter{To: env.Lane, Limit: 10}); err != nil {
		return page, err
	}
	pv := view.PlatformOf(w.P)
	var latest *store.Deployment
	if env.Deployment != nil {
		d, err := st.Deployment(ctx, env.Deployment.ID)
		if err == nil {
			latest = &d
		}
	}
	page.Targets = targetRows(pv, env, latest)
	releases, err := st.Promotions(ctx, store.PromotionFilter{Kind: "release", Limit: 20})
	if err != nil {
		return page, err
	}
	page.Tags = tagsOf(append(releases, page.Promotions...))
	t := envTarget(w.P, name)
	page.CanSync, page.CanRollback = can(pr, auth.Sync, t), can(pr, auth.Rollback, t)
	return page, nil
}

func targetRows(pv view.Platform, env view.Environment, latest *store.Deployment) []TargetRow {
	var decl []view.Target
	for _, e := range pv.Environments {
		if e.Name == env.Name {
			decl = e.Targets
		}
	}
	var rows []TargetRow
	for _, ts := range env.Targets {
		row := TargetRow{TargetState: ts}
		var names []string
		for _, t := range decl {
			if t.Name == ts.Name {
				row.Context, row.Workspace, names = t.Context, t.Workspace, t.Components
			}
		}
		for _, c := range pv.Components {
			if len(names) > 0 && !contains(names, c.Name) {
				continue
			}
			cr := ComponentRow{Component: c}
			if latest != nil {
				for _, tr := range latest.Targets {
					for _, r := range tr.Components {
						if tr.Target == ts.Name && r.Component == c.Name {
							cr.Status, cr.Summary, cr.Error = r.Status, r.Summary, r.Error
						}
					}
				}
			}
			row.Components = append(row.Components, cr)
		}
		rows = append(rows, row)
	}
	return rows
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// tagsOf lists the versions recorded, releases first, newest first (the
// rollback targets offered).
func tagsOf(ps []store.Promotion) []string {
	var out []string
	for _, p := range ps {
		if p.Version != "" && !contains(out, p.Version) {
			out = append(out, p.Version)
		}
	}
	return out
}

// DeploymentPage is /deployments/{id}: per target and component, in the
// order they ran, with plan summaries, errors and the objects applied.
type DeploymentPage struct {
	Base
	D store.Deployment
	// Steps is the timeline: each target's components in run order with
	// their start offset.
	Steps []Step
	// Objects applied (the inventory), by kind.
	Objects []ObjectGroup
	// Changed are the objects and Terraform resources the deployment
	// created, configured, pruned or planned to change; Unchanged the
	// objects it found as Git has them; More how many the store did not keep.
	Changed   []ChangeRow
	Unchanged []ChangeRow
	More      int
}

// ChangeRow is one recorded object change, with the object's name for
// people (Kind/namespace/name, or the Terraform address).
type ChangeRow struct {
	store.ObjectChange
	Name string
}

func changeRows(d store.Deployment) (changed, unchanged []ChangeRow, more int) {
	for _, c := range d.Changes {
		row := ChangeRow{ObjectChange: c, Name: c.Object}
		if id, err := kube.ParseID(c.Object); err == nil {
			row.Name = id.Short()
		}
		if c.Action == kube.ActionUnchanged {
			unchanged = append(unchanged, row)
		} else {
			changed = append(changed, row)
		}
	}
	return changed, unchanged, d.ChangesTotal - len(d.Changes)
}

// Step is one component on one target in a deployment's timeline.
type Step struct {
	Target string
	store.ComponentResult
	TargetStatus store.Status
	TargetError  string
	// At is the step's start, as an offset from the deployment's start.
	At string
}

// ObjectGroup is the applied objects of one kind.
type ObjectGroup struct {
	Kind  string
	Names []string
}

// DeploymentOf builds the deployment page.
func DeploymentOf(ctx context.Context, st store.Store, id int64, platformName string) (DeploymentPage, error) {
	d, err := st.Deployment(ctx, id)
	if err != nil {
		return DeploymentPage{}, err
	}
	page := DeploymentPage{Base: Base{Title: fmt.Sprintf("Deployment %d", id), Nav: "pipeline", Platform: platformName}, D: d}
	var off int64
	for _, t := range d.Targets {
		if len(t.Components) == 0 {
			page.Steps = append(page.Steps, Step{Target: t.Target, TargetStatus: t.Status, TargetError: t.Error, At: "+" + fmtDur(off)})
		}
		for _, c := range t.Components {
			page.Steps = append(page.Steps, Step{Target: t.Target, ComponentResult: c, TargetStatus: t.Status, TargetError: t.Error,
				At: "+" + fmtDur(off)})
			off += int64(c.Duration)
		}
	}
	page.Changed, page.Unchanged, page.More = changeRows(d)
	groups := map[string][]string{}
	for _, o := range d.Inventory {
		kind, name := objectParts(o)
		groups[kind] = append(groups[kind], name)
	}
	for k, names := range groups {
		sort.Strings(names)
		page.Objects = append(page.Objects, ObjectGroup{Kind: k, Names: names})
	}
	sort.Slice(page.Objects, func(i, j int) bool { return page.Objects[i].Kind < page.Objects[j].Kind })
	return page, nil
}

// objectParts splits an inventory ID ("namespace_name_group_Kind" as
// cli-utils writes it, or any other form) into a kind and a name.
func objectParts(id string) (kind, name string) {
	parts := strings.Split(id, "_")
	if len(parts) == 4 {
		kind = parts[3]
		if parts[2] != "" {
			kind += "." + parts[2]
		}
		if parts[0] != "" {
			return kind, parts[0] + "/" + parts[1]
		}
		return kind, parts[1]
	}
	return "object", id
}

// PromotionPage is /promotions/{lane}: the promotion into lane, its gates
// with pass/fail and why, their evidence, what would move (the changelog)
// and the buttons the user's role allows.
type PromotionPage struct {
	Base
	Lane    string
	Gates   *Gates
	History []store.Promotion
	// Release: the lane is the release lane (versions are cut into it);
	// Next is the version a release would carry and its changelog.
	Release bool
	Next    *flow.VersionPlan
	// Move is a recorded move into the lane (?move=ID, else the newest)
	// with the gates it passed or had overridden; MoveGates are those
	// gates as the plan's are shown.
	Move        *store.Promotion
	MoveGates   []flow.Gate
	CanApprove  bool
	CanPromote  bool
	CanOverride bool
	CanRelease  bool
}

// PromotionOf builds the promotion page of the promotion into lane.
func PromotionOf(ctx context.Context, w *World, st store.Store, lane string, move int64, pr auth.Principal) (PromotionPage, error) {
	pv := view.PlatformOf(w.P)
	spec, ok := specOf(pv, lane)
	if !ok {
		return PromotionPage{}, &view.UnknownError{What: "promotion into lane", Name: lane}
	}
	page := PromotionPage{Base: Base{Title: "Promotion to " + lane, Nav: "pipeline", Platform: pv.Name}, Lane: lane,
		Gates: gatesOf(spec, w.Plans[lane], w.PlanErrs[lane])}
	var err error
	if page.History, err = st.Promotions(ctx, store.PromotionFilter{To: lane, Limit: 20}); err != nil {
		return page, err
	}
	if err := page.pickMove(ctx, st, move); err != nil {
		return page, err
	}
	names := w.P.LaneNames()
	page.Release = len(names) > 0 && names[len(names)-1] == lane
	if page.Release {
		page.Next = w.Next
	}
	t := laneTarget(w.P, lane)
	page.CanApprove = can(pr, auth.Approve, t) && hasApprovals(w.P, lane)
	page.CanPromote = can(pr, auth.Promote, t)
	page.CanOverride = can(pr, auth.Promote, t) && can(pr, auth.Override, t)
	page.CanRelease = page.Release && can(pr, auth.Release, envTarget(w.P, view.ProductionEnv(w.P)))
	return page, nil
}

// pickMove sets the recorded move shown: the one asked for (it must be
// into the page's lane), else the newest.
func (page *PromotionPage) pickMove(ctx context.Context, st store.Store, id int64) error {
	switch {
	case id > 0:
		p, err := st.Promotion(ctx, id)
		if err != nil {
			return err
		}
		if p.To != page.Lane {
			return &badRequest{fmt.Sprintf("move %d went into %s, not %s", id, p.To, page.Lane)}
		}
		page.Move = &p
	case len(page.History) > 0:
		page.Move = &page.History[0]
	default:
		return nil
	}
	for _, g := range page.Move.Gates {
		page.MoveGates = append(page.MoveGates, flow.Gate{Name: g.Name, Passed: g.Passed, Reason: g.Reason,
			Evidence: g.Evidence, Overridden: g.Overridden})
	}
	return nil
}

func hasApprovals(p *platform.Platform, lane string) bool {
	pr, ok := p.PromotionTo(lane)
	return ok && pr.Gates.Approvals > 0
}

// evidenceLink is where a gate's evidence ("deployment:7",
// "check-run:12", "approval:31") is shown.
func evidenceLink(ev string) string {
	kind, id, ok := strings.Cut(ev, ":")
	if !ok {
		return ""
	}
	switch kind {
	case "deployment":
		return "/deployments/" + id
	case "check-run":
		return "/checks/" + id
	case "approval":
		return "/events?kind=approval"
	}
	return ""
}

// ChecksPage is /checks: the check runs, newest first, with their
// findings counted by severity.
type ChecksPage struct {
	Base
	Runs []CheckRow
	Next int64
}

// CheckRow is a check run with its counts in severity order.
type CheckRow struct {
	store.CheckRun
	Counts []SeverityCount
	Worst  string
}

// SeverityCount is the findings of one severity.
type SeverityCount struct {
	Severity string
	N        int
}

var severities = []string{"critical", "high", "medium", "low"}

func checkRowOf(c store.CheckRun) CheckRow {
	row := CheckRow{CheckRun: c}
	for _, s := range severities {
		n := c.Counts[s]
		row.Counts = append(row.Counts, SeverityCount{Severity: s, N: n})
		if n > 0 && row.Worst == "" {
			row.Worst = s
		}
	}
	var other []string
	for s := range c.Counts {
		if !contains(severities, s) {
			other = append(other, s)
		}
	}
	sort.Strings(other)
	for _, s := range other {
		row.Counts = append(row.Counts, SeverityCount{Severity: s, N: c.Counts[s]})
	}
	return row
}

// ChecksOf builds the checks page (before: the paging cursor).
func ChecksOf(ctx context.Context, st store.Store, revision string, before int64, platformName string) (ChecksPage, error) {
	const limit = 50
	runs, err := st.CheckRuns(ctx, store.CheckRunFilter{Revision: revision, Before: before, Limit: limit})
	if err != nil {
		return ChecksPage{}, err
	}
	page := ChecksPage{Base: Base{Title: "Checks", Nav: "checks", Platform: platformName}}
	for _, c := range runs {
		page.Runs = append(page.Runs, checkRowOf(c))
	}
	if len(runs) == limit {
		page.Next = runs[len(runs)-1].ID
	}
	return page, nil
}

// CheckPage is /checks/{id}: one run's findings by severity.
type CheckPage struct {
	Base
	Run CheckRow
	// Max is the largest count, for the bars.
	Max int
	// Groups are the recorded findings by severity, most severe first,
	// suppressed ones last; More is how many the run had beyond those
	// the store kept.
	Groups []FindingGroup
	More   int
}

// FindingGroup is the findings of one severity (or the suppressed ones).
type FindingGroup struct {
	Severity string
	Findings []store.Finding
}

// findingGroups groups findings by severity in severities' order, other
// severities after, suppressed findings last.
func findingGroups(fs []store.Finding) []FindingGroup {
	by := map[string][]store.Finding{}
	var order []string
	for _, f := range fs {
		key := f.Severity
		if f.Suppressed != "" {
			key = "suppressed"
		}
		if _, ok := by[key]; !ok {
			order = append(order, key)
		}
		by[key] = append(by[key], f)
	}
	rank := func(s string) int {
		for i, x := range severities {
			if x == s {
				return i
			}
		}
		if s == "suppressed" {
			return len(severities) + 1
		}
		return len(severities)
	}
	sort.SliceStable(order, func(i, j int) bool { return rank(order[i]) < rank(order[j]) })
	var out []FindingGroup
	for _, s := range order {
		out = append(out, FindingGroup{Severity: s, Findings: by[s]})
	}
	return out
}

// CheckOf builds one check run's page.
func CheckOf(ctx context.Context, st store.Store, id int64, platformName string) (CheckPage, error) {
	c, err := st.CheckRun(ctx, id)
	if err != nil {
		return CheckPage{}, err
	}
	page := CheckPage{Base: Base{Title: fmt.Sprintf("Check run %d", id), Nav: "checks", Platform: platformName}, Run: checkRowOf(c)}
	for _, s := range page.Run.Counts {
		page.Max = max(page.Max, s.N)
	}
	page.Groups = findingGroups(c.Findings)
	page.More = c.FindingsTotal - len(c.Findings)
	return page, nil
}

// EventsPage is /events: the audit events, newest first, paged.
type EventsPage struct {
	Base
	Events []store.Event
	Kind   string
	Env    string
	Next   int64
}

// EventsOf builds the events page.
func EventsOf(ctx context.Context, st store.Store, kind, env string, before int64, platformName string) (EventsPage, error) {
	const limit = 100
	evs, err := st.Events(ctx, store.EventFilter{Kind: kind, Env: env, Before: before, Limit: limit})
	if err != nil {
		return EventsPage{}, err
	}
	page := EventsPage{Base: Base{Title: "Events", Nav: "events", Platform: platformName}, Events: evs, Kind: kind, Env: env}
	if len(evs) == limit {
		page.Next = evs[len(evs)-1].ID
	}
	return page, nil
}

// RulesPage is /rules: the rule reference, from the check registry, that
// findings link to (/rules#ID) — served here, so no page links to another
// host.
type RulesPage struct {
	Base
	Rules []check.Rule
}

// RulesOf builds the rule reference page.
func RulesOf(platformName string) (RulesPage, error) {
	reg, err := scan.Registry()
	if err != nil {
		return RulesPage{}, err
	}
	return RulesPage{Base: Base{Title: "Rules", Nav: "checks", Platform: platformName}, Rules: reg.Rules()}, nil
}

type loginModel struct {
	Base
	Next string
}

// errorModel is a page that says what went wrong.
type errorModel struct {
	Base
	Code    int
	Message string
	Hint    string
}
