package platform

import (
	"fmt"
	"time"
)

// Default values, in one place with applyDefaults.
const (
	DefaultRemote        = "origin"
	DefaultStoreDriver   = "sqlite"
	DefaultStorePath     = ".ferry/state.db"
	DefaultTagPrefix     = "v"
	DefaultScheme        = "semver"
	DefaultChangelog     = "CHANGELOG.md"
	DefaultFailOn        = SeverityHigh
	DefaultPolicyDir     = "policies"
	DefaultDriftInterval = 5 * time.Minute
	DefaultHealthTimeout = 5 * time.Minute
	DefaultPollInterval  = time.Minute
	DefaultGitHubAPI     = "https://api.github.com"
	DefaultGitLabAPI     = "https://gitlab.com/api/v4"
	DefaultStatusContext = "ferry"
	DefaultOwner         = "platform-team"
	DefaultLifecycle     = "production"
)

// applyDefaults fills in everything ferry.yaml may leave out. set reports
// whether the file wrote a field path, so explicit false/0 values are kept.
// It is the only place defaults live.
//
//   - lanes: develop, staging, main, release; a lane whose `protected` is not
//     written is protected unless it is the first (integration) lane.
//   - topics: feature (feature/, from the first lane, merged into it) and
//     hotfix (hotfix/, from main — or the last lane without main — merged
//     into the first lane). A topic's prefix defaults to "KIND/", its
//     mergeInto to its base.
//   - environments: dev←develop (autoSync, drift heal), staging←staging,
//     production←release, for those lanes that are declared. Per environment:
//     drift detect, driftInterval 5m, healthTimeout 5m; a target's order is
//     its 1-based list position.
//   - promotions: one per consecutive lane pair. From the first lane, or from
//     a lane that feeds no environment: candidate head, gate checks. From any
//     other lane: candidate verified, gates deployed (that lane's environment)
//     and verified. A written promotion's candidate defaults to head, and a
//     verified one's gates.deployed to the environment its source lane feeds.
//   - checks: failOn high, policyDirs [policies]. versioning: tagPrefix v,
//     scheme semver, changelog CHANGELOG.md. store: sqlite at
//     .ferry/state.db. remote: origin. agent: pollInterval 1m.
//   - notifications: a github sink's apiURL https://api.github.com, a
//     gitlab sink's https://gitlab.com/api/v4 (gitea has none: it is
//     self-hosted); every Git host sink's context "ferry".
//   - catalog: system metadata.name, owner platform-team, lifecycle
//     production; a component's owner and lifecycle the catalog's.
func applyDefaults(p *Platform, set func(path string) bool) {
	s := &p.Spec
	defaultLanes(s, set)
	defaultTopics(s)
	defaultEnvironments(s, set)
	defaultPromotions(s)
	if s.Checks.FailOn == "" {
		s.Checks.FailOn = DefaultFailOn
	}
	if !set("spec.checks.policyDirs") {
		s.Checks.PolicyDirs = []string{DefaultPolicyDir}
	}
	if s.Versioning.TagPrefix == "" && !set("spec.versioning.tagPrefix") {
		s.Versioning.TagPrefix = DefaultTagPrefix
	}
	if s.Versioning.Scheme == "" {
		s.Versioning.Scheme = DefaultScheme
	}
	if s.Versioning.Changelog == "" {
		s.Versioning.Changelog = DefaultChangelog
	}
	if s.Store.Driver == "" {
		s.Store.Driver = DefaultStoreDriver
	}
	if s.Store.Driver == DefaultStoreDriver && s.Store.DSN == "" {
		s.Store.DSN = DefaultStorePath
	}
	if s.Remote == "" {
		s.Remote = DefaultRemote
	}
	if s.Agent.PollInterval.Duration == 0 && !set("spec.agent.pollInterval") {
		s.Agent.PollInterval = Duration{DefaultPollInterval}
	}
	defaultNotifications(&s.Notifications)
	defaultCatalog(p)
}

func defaultCatalog(p *Platform) {
	c := &p.Spec.Catalog
	if c.System == "" {
		c.System = p.Metadata.Name
	}
	if c.Owner == "" {
		c.Owner = DefaultOwner
	}
	if c.Lifecycle == "" {
		c.Lifecycle = DefaultLifecycle
	}
	for i := range p.Spec.Components {
		comp := &p.Spec.Components[i]
		if comp.Owner == "" {
			comp.Owner = c.Owner
		}
		if comp.Lifecycle == "" {
			comp.Lifecycle = c.Lifecycle
		}
	}
}

func defaultNotifications(n *Notifications) {
	for i := range n.Sinks {
		s := &n.Sinks[i]
		for _, g := range []struct {
			sink *GitHostSink
			api  string
		}{{s.GitHub, DefaultGitHubAPI}, {s.GitLab, DefaultGitLabAPI}, {s.Gitea, ""}} {
			if g.sink == nil {
				continue
			}
			if g.sink.APIURL == "" {
				g.sink.APIURL = g.api
			}
			if g.sink.Context == "" {
				g.sink.Context = DefaultStatusContext
			}
		}
	}
}

func defaultLanes(s *Spec, set func(string) bool) {
	if len(s.Lanes) == 0 {
		s.Lanes = []Lane{{Name: "develop"}, {Name: "staging", Protected: true},
			{Name: "main", Protected: true}, {Name: "release", Protected: true}}
		return
	}
	for i := range s.Lanes {
		if !set(fmt.Sprintf("spec.lanes[%d].protected", i)) {
			s.Lanes[i].Protected = i > 0
		}
	}
}

func defaultTopics(s *Spec) {
	if len(s.Topics) == 0 {
		first := s.Lanes[0].Name
		hotfixBase := s.Lanes[len(s.Lanes)-1].Name
		if laneIndex(s.Lanes, "main") >= 0 {
			hotfixBase = "main"
		}
		s.Topics = []Topic{
			{Kind: "feature", Prefix: "feature/", Base: first, MergeInto: []string{first}},
			{Kind: "hotfix", Prefix: "hotfix/", Base: hotfixBase, MergeInto: []string{first}},
		}
	}
	for i := range s.Topics {
		t := &s.Topics[i]
		if t.Prefix == "" && checkDNSLabel(t.Kind) == nil {
			t.Prefix = t.Kind + "/"
		}
		if len(t.MergeInto) == 0 && t.Base != "" {
			t.MergeInto = []string{t.Base}
		}
	}
}

func defaultEnvironments(s *Spec, set func(string) bool) {
	if len(s.Environments) == 0 {
		for _, e := range []Environment{
			{Name: "dev", Lane: "develop", AutoSync: true, Drift: DriftHeal},
			{Name: "staging", Lane: "staging"},
			{Name: "production", Lane: "release"},
		} {
			if laneIndex(s.Lanes, e.Lane) >= 0 {
				s.Environments = append(s.Environments, e)
			}
		}
	}
	for i := range s.Environments {
		e := &s.Environments[i]
		if e.Drift == "" {
			e.Drift = DriftDetect
		}
		if e.DriftInterval.Duration == 0 && !set(fmt.Sprintf("spec.environments[%d].driftInterval", i)) {
			e.DriftInterval = Duration{DefaultDriftInterval}
		}
		if e.HealthTimeout.Duration == 0 && !set(fmt.Sprintf("spec.environments[%d].healthTimeout", i)) {
			e.HealthTimeout = Duration{DefaultHealthTimeout}
		}
		for j := range e.Targets {
			if !set(fmt.Sprintf("spec.environments[%d].targets[%d].order", i, j)) {
				e.Targets[j].Order = j + 1
			}
		}
	}
}

func defaultPromotions(s *Spec) {
	envFor := func(lane string) string {
		for _, e := range s.Environments {
			if e.Lane == lane {
				return e.Name
			}
		}
		return ""
	}
	if len(s.Promotions) == 0 {
		for i := 1; i < len(s.Lanes); i++ {
			from, to := s.Lanes[i-1].Name, s.Lanes[i].Name
			pr := Promotion{To: to, From: from, Candidate: CandidateHead, Gates: Gates{Checks: true}}
			if env := envFor(from); i > 1 && env != "" {
				pr.Candidate = CandidateVerified
				pr.Gates = Gates{Deployed: env, Verified: true}
			}
			s.Promotions = append(s.Promotions, pr)
		}
	}
	for i := range s.Promotions {
		pr := &s.Promotions[i]
		if pr.Candidate == "" {
			pr.Candidate = CandidateHead
		}
		if pr.Candidate == CandidateVerified && pr.Gates.Deployed == "" {
			pr.Gates.Deployed = envFor(pr.From)
		}
		if v := pr.Gates.Verify; v != nil {
			if pr.Gates.Deployed == "" {
				pr.Gates.Deployed = envFor(pr.From)
			}
			if v.Soak.Duration == 0 {
				v.Soak = Duration{DefaultSoak}
			}
		}
	}
}

func laneIndex(lanes []Lane, name string) int {
	for i, l := range lanes {
		if l.Name == name {
			return i
		}
	}
	return -1
}
