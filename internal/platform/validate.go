package platform

import (
	"fmt"
	"strings"
)

// validator collects every cross-field problem of a decoded, defaulted model.
type validator struct {
	p     *Platform
	d     *decoder
	probs []Problem
	// Indexes by name (first declaration wins), so checks stay linear.
	laneIdx           map[string]int
	laneList, envList string // for messages
	envs              map[string]bool
	comps             map[string]bool
}

// validate checks the whole model and returns every problem, each located
// at the field it is about (or its nearest ancestor written in the file).
func validate(p *Platform, d *decoder) []Problem {
	v := &validator{p: p, d: d, laneIdx: map[string]int{}, envs: map[string]bool{}, comps: map[string]bool{}}
	for i := len(p.Spec.Lanes) - 1; i >= 0; i-- {
		v.laneIdx[p.Spec.Lanes[i].Name] = i
	}
	envNames := make([]string, len(p.Spec.Environments))
	for i, e := range p.Spec.Environments {
		v.envs[e.Name] = true
		envNames[i] = e.Name
	}
	v.laneList, v.envList = nameList(p.LaneNames()), nameList(envNames)
	for _, c := range p.Spec.Components {
		v.comps[c.Name] = true
	}
	v.header()
	v.lanes()
	v.topics()
	v.environments()
	v.promotions()
	v.components()
	v.checks()
	v.versioning()
	v.store()
	v.agent()
	v.notifications()
	v.catalog()
	return v.probs
}

func (v *validator) addf(path, format string, args ...any) {
	if v.d.reportedAt(path) || v.defaulted(path) {
		return // a consequence of a problem already reported
	}
	at := v.d.at(path)
	v.probs = append(v.probs, Problem{File: v.d.file, Line: at.line, Column: at.col,
		Path: path, Msg: fmt.Sprintf(format, args...)})
}

// defaulted reports a path inside a list that applyDefaults generated
// because the file left it out: it is built from declared lanes, so a
// problem there follows from one already reported (e.g. a duplicate lane).
func (v *validator) defaulted(path string) bool {
	for _, list := range []string{"spec.lanes", "spec.topics", "spec.environments", "spec.promotions"} {
		if strings.HasPrefix(path, list+"[") && !v.d.isSet(list+"[0]") {
			return true
		}
	}
	return false
}

// name reports an invalid DNS-label name at path.
func (v *validator) name(path, name string) bool {
	if err := checkDNSLabel(name); err != nil {
		v.addf(path, "%v", err)
		return false
	}
	return true
}

// dup reports a name already seen in the same list; seen maps name → path.
func (v *validator) dup(seen map[string]string, path, what, name string) {
	if name == "" {
		return
	}
	if first, ok := seen[name]; ok {
		v.addf(path, "duplicate %s %q (first at line %d)", what, name, v.d.at(first).line)
		return
	}
	seen[name] = path
}

// lane reports a reference to an undeclared lane.
func (v *validator) lane(path, name string) bool {
	if name == "" {
		v.addf(path, "%s is required (a lane: %s)", lastField(path), v.laneList)
		return false
	}
	if _, ok := v.laneIdx[name]; !ok {
		v.addf(path, "lane %q is not declared (lanes: %s)", name, v.laneList)
		return false
	}
	return true
}

// lastField is the field name a path ends with: "spec.topics[0].base" → "base".
func lastField(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		path = path[i+1:]
	}
	if i := strings.IndexByte(path, '['); i >= 0 {
		path = path[:i]
	}
	return path
}

// env reports a reference to an undeclared environment.
func (v *validator) env(path, name string) {
	if !v.envs[name] {
		v.addf(path, "environment %q is not declared (environments: %s)", name, v.envList)
	}
}

// nameList joins names for a message, shortened when there are many.
func nameList(names []string) string {
	const max = 10
	if len(names) > max {
		return strings.Join(names[:max], ", ") + fmt.Sprintf(", … (%d in all)", len(names))
	}
	return strings.Join(names, ", ")
}

func (v *validator) header() {
	switch p := v.p; {
	case p.APIVersion == "":
		v.addf("apiVersion", "apiVersion is required (want %s)", APIVersion)
	case p.APIVersion != APIVersion:
		v.addf("apiVersion", "apiVersion %q is not supported (want %s)", p.APIVersion, APIVersion)
	}
	switch p := v.p; {
	case p.Kind == "":
		v.addf("kind", "kind is required (want %s)", Kind)
	case p.Kind != Kind:
		v.addf("kind", "kind %q is not supported (want %s)", p.Kind, Kind)
	}
	v.name("metadata.name", v.p.Metadata.Name)
	if r := v.p.Spec.Remote; branchNameFault(r) != "" || strings.Contains(r, "/") {
		v.addf("spec.remote", "remote %q is not a valid Git remote name", r)
	}
}

func (v *validator) lanes() {
	seen := map[string]string{}
	for i, l := range v.p.Spec.Lanes {
		path := fmt.Sprintf("spec.lanes[%d].name", i)
		if l.Name == "" {
			v.addf(path, "name is required")
		} else if err := checkBranchName(l.Name); err != nil {
			v.addf(path, "lane %v", err)
		}
		v.dup(seen, path, "lane", l.Name)
	}
}

func (v *validator) topics() {
	kinds, prefixes := map[string]string{}, map[string]string{}
	for i, t := range v.p.Spec.Topics {
		base := fmt.Sprintf("spec.topics[%d]", i)
		if v.name(base+".kind", t.Kind) {
			v.dup(kinds, base+".kind", "topic kind", t.Kind)
		}
		if t.Prefix == "" && checkDNSLabel(t.Kind) != nil {
			// no prefix to derive from an invalid kind; reported above
		} else if err := checkBranchPrefix(t.Prefix); err != nil {
			v.addf(base+".prefix", "%v", err)
		} else {
			v.dup(prefixes, base+".prefix", "topic prefix", t.Prefix)
		}
		v.lane(base+".base", t.Base)
		for j, m := range t.MergeInto {
			v.lane(fmt.Sprintf("%s.mergeInto[%d]", base, j), m)
		}
	}
}

func (v *validator) environments() {
	names, lanes := map[string]string{}, map[string]string{}
	for i, e := range v.p.Spec.Environments {
		base := fmt.Sprintf("spec.environments[%d]", i)
		if v.name(base+".name", e.Name) {
			v.dup(names, base+".name", "environment", e.Name)
		}
		if v.lane(base+".lane", e.Lane) {
			if first, ok := lanes[e.Lane]; ok {
				v.addf(base+".lane", "lane %q already feeds another environment (line %d); a lane feeds one environment",
					e.Lane, v.d.at(first).line)
			} else {
				lanes[e.Lane] = base + ".lane"
			}
		}
		if e.Drift != DriftDetect && e.Drift != DriftHeal {
			v.addf(base+".drift", "drift mode %q is invalid (want detect or heal)", e.Drift)
		}
		if e.DriftInterval.Duration <= 0 {
			v.addf(base+".driftInterval", "driftInterval must be positive")
		}
		if e.HealthTimeout.Duration <= 0 {
			v.addf(base+".healthTimeout", "healthTimeout must be positive")
		}
		v.targets(base, e)
	}
	v.hydrateBranches()
}

// hydrateBranches: each environment's hydrated branch is a valid branch
// name of its own, not a lane.
func (v *validator) hydrateBranches() {
	branches := map[string]string{}
	for i, e := range v.p.Spec.Environments {
		if e.Hydrate == nil {
			continue
		}
		path := fmt.Sprintf("spec.environments[%d].hydrate.branch", i)
		b := e.HydrateBranch()
		if err := checkBranchName(b); err != nil {
			v.addf(path, "hydrate branch %q: %v", b, err)
			continue
		}
		for _, l := range v.p.Spec.Lanes {
			if l.Name == b {
				v.addf(path, "hydrate branch %q is a lane; rendered manifests need a branch of their own", b)
			}
		}
		v.dup(branches, path, "hydrate branch", b)
	}
}

func (v *validator) targets(base string, e Environment) {
	seen := map[string]string{}
	for j, t := range e.Targets {
		tb := fmt.Sprintf("%s.targets[%d]", base, j)
		if v.name(tb+".name", t.Name) {
			v.dup(seen, tb+".name", "target", t.Name)
		}
		if t.Order < 0 {
			v.addf(tb+".order", "order must not be negative")
		}
		if t.Kube != nil && t.Kube.Context == "" {
			v.addf(tb+".kube.context", "kube.context is required when kube is set")
		}
		for k, c := range t.Components {
			if !v.comps[c] {
				v.addf(fmt.Sprintf("%s.components[%d]", tb, k), "component %q is not declared", c)
			}
		}
	}
}

func (v *validator) promotions() {
	seen := map[string]string{}
	for i, pr := range v.p.Spec.Promotions {
		base := fmt.Sprintf("spec.promotions[%d]", i)
		okTo, okFrom := v.lane(base+".to", pr.To), v.lane(base+".from", pr.From)
		if okTo && okFrom && v.laneIdx[pr.To] <= v.laneIdx[pr.From] {
			v.addf(base+".to", "lane %q must come after %q in lane order (%s)",
				pr.To, pr.From, v.laneList)
		}
		if okTo {
			v.dup(seen, base+".to", "promotion to lane", pr.To)
		}
		switch pr.Candidate {
		case CandidateHead:
		case CandidateVerified:
			if pr.Gates.Deployed == "" {
				v.addf(base+".gates.deployed", "candidate verified needs gates.deployed: no environment is fed by lane %q", pr.From)
			}
		default:
			v.addf(base+".candidate", "candidate %q is invalid (want head or verified)", pr.Candidate)
		}
		if pr.Gates.Deployed != "" {
			v.env(base+".gates.deployed", pr.Gates.Deployed)
		}
		if pr.Gates.Approvals < 0 {
			v.addf(base+".gates.approvals", "approvals must not be negative")
		}
		if pr.Gates.Verify != nil {
			v.verify(base+".gates", pr.Gates)
		}
	}
}
