package flow

import (
	"context"
	"errors"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/check/scan"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// relaxing are candidates that lower the bar they are judged by: each brings
// the privileged pod (FERRY-K8S-001, high) and a way to let it through.
var relaxing = []struct {
	name, file, content, want string
}{
	{"disables the failing rule", "ferry.yaml", testYAML + "  checks:\n    rules:\n      FERRY-K8S-001: {disabled: true, reason: debugging}\n",
		`disables FERRY-K8S-001 ("debugging")`},
	{"raises fail-on", "ferry.yaml", testYAML + "  checks:\n    failOn: critical\n", "fail-on high → critical"},
	{"re-rates the rule", "ferry.yaml", testYAML + "  checks:\n    rules:\n      FERRY-K8S-001: {severity: low}\n", "re-rates FERRY-K8S-001 to low"},
	{"excludes the file", "ferry.yaml", testYAML + "  checks:\n    exclude: [\"pod.yaml\"]\n", "excludes pod.yaml from the checks"},
	{"suppresses the finding", "pod.yaml", strings.Replace(privilegedPod, "      securityContext:", "      # ferry:ignore FERRY-K8S-001 debugging\n      securityContext:", 1),
		"adds ferry:ignore at pod.yaml:"},
}

// A change cannot relax the checks gate that judges it: the promotion is
// judged by staging's settings and refused, saying what the change relaxes.
func TestRelaxingChangeIsJudgedByTheTargetsSettings(t *testing.T) {
	for _, c := range relaxing {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, false)
			f.e.Checker = scan.Checker{}
			ctx := context.Background()
			f.commitOn("develop", "pod.yaml", privilegedPod, "feat: pod")
			cand := f.commitOn("develop", c.file, c.content, "chore: let it through")
			// The change's own settings pass it: that is what it must not decide.
			if run, err := (scan.Checker{}).Check(ctx, f.dir, cand); err != nil || !run.Passed {
				t.Fatalf("fixture: by its own settings the candidate = %+v, %v; want passed", run, err)
			}
			before := f.head("staging")
			res, err := f.e.Promote(ctx, "staging", PromoteOptions{})
			var ge *GateError
			if !errors.As(err, &ge) || f.head("staging") != before {
				t.Fatalf("promote = %v, staging moved: %v; want refused", err, f.head("staging") != before)
			}
			s := gateNamed(res.Gates, "settings")
			if s.Passed || !strings.Contains(s.Reason, "this change relaxes the checks gate: "+c.want) {
				t.Fatalf("settings gate = %+v, want it to say %q", s, c.want)
			}
			ch := gateNamed(res.Gates, "checks")
			if c.file == "ferry.yaml" && (ch.Passed || !strings.Contains(ch.Reason, "by staging's settings") || !strings.Contains(ch.Reason, "FERRY-K8S-001")) {
				t.Fatalf("checks gate = %+v, want failed by staging's settings", ch)
			}

			// Break-glass lets it through, recorded as overridden.
			res, err = f.e.Promote(ctx, "staging", PromoteOptions{Override: "debug session, INC-9"})
			mustNoErr(t, err)
			if g := gateNamed(res.Gates, "settings"); !g.Overridden {
				t.Fatalf("settings gate after override = %+v", g)
			}
			ps, err := f.e.Store.Promotions(ctx, store.PromotionFilter{To: "staging"})
			mustNoErr(t, err)
			if len(ps) != 1 || ps[0].Override != "debug session, INC-9" || ps[0].Revision != cand {
				t.Fatalf("recorded = %+v, want one overridden promotion of the candidate", ps)
			}
		})
	}
}

// An approval of exactly the candidate accepts the relaxation: the checks
// are then judged by the candidate's settings and cite the approval.
func TestApprovedRelaxationPasses(t *testing.T) {
	f := newFixture(t, false)
	f.e.Checker = scan.Checker{}
	ctx := context.Background()
	f.commitOn("develop", "pod.yaml", privilegedPod, "feat: pod")
	cand := f.commitOn("develop", "ferry.yaml", relaxing[0].content, "chore: disable the rule")
	a, err := f.e.Approve(ctx, "staging", "", "CAB-12")
	mustNoErr(t, err)
	if a.Revision != cand {
		t.Fatalf("approved %s, want the candidate %s", a.Revision, cand)
	}
	res, err := f.e.Promote(ctx, "staging", PromoteOptions{})
	mustNoErr(t, err)
	s := gateNamed(res.Gates, "settings")
	if !s.Passed || s.Overridden || !strings.Contains(s.Reason, "approved by tester <t@x>") || s.Evidence[0] != "approval:"+itoa(a.ID) {
		t.Fatalf("settings gate = %+v", s)
	}
	if ch := gateNamed(res.Gates, "checks"); !ch.Passed || strings.Contains(ch.Reason, "staging's settings") {
		t.Fatalf("checks gate = %+v, want passed by the approved settings", ch)
	}
}

// Tightening needs nothing: the settings gate passes and says so; a change
// that leaves the settings alone gets no settings gate at all.
func TestTighteningPassesWithoutFuss(t *testing.T) {
	f := newFixture(t, false)
	f.e.Checker = scan.Checker{}
	ctx := context.Background()
	f.commitOn("develop", "ferry.yaml", testYAML+"  checks:\n    failOn: medium\n    requiredTags: [team]\n", "chore: stricter checks")
	res, err := f.e.Promote(ctx, "staging", PromoteOptions{})
	mustNoErr(t, err)
	s := gateNamed(res.Gates, "settings")
	if !s.Passed || s.Overridden || !strings.Contains(s.Reason, "tightens the checks gate: fail-on high → medium; requires tag team") {
		t.Fatalf("settings gate = %+v", s)
	}
	f.commitOn("develop", "app.txt", "x\n", "feat: app")
	res, err = f.e.Promote(ctx, "staging", PromoteOptions{})
	mustNoErr(t, err)
	for _, g := range res.Gates {
		if g.Name == "settings" {
			t.Fatalf("a change that keeps the settings got a settings gate: %+v", g)
		}
	}
}

// A topic branch cannot lower develop's bar either.
func TestTopicFinishJudgedByTargetSettings(t *testing.T) {
	f := newFixture(t, false)
	f.e.Checker = scan.Checker{}
	ctx := context.Background()
	_, err := f.e.StartTopic(ctx, "feature", "debug", "")
	mustNoErr(t, err)
	f.commitOn("feature/debug", "pod.yaml", privilegedPod, "feat: pod")
	f.commitOn("feature/debug", "ferry.yaml", relaxing[1].content, "chore: fail on critical only")
	dev := f.head("develop")
	res, err := f.e.FinishTopic(ctx, "feature/debug", FinishOptions{})
	if !errors.As(err, new(*GateError)) || f.head("develop") != dev {
		t.Fatalf("finish = %v; want refused, develop unmoved", err)
	}
	if s := gateNamed(res.Gates, "settings"); s.Passed || !strings.Contains(s.Reason, "fail-on high → critical") {
		t.Fatalf("settings gate = %+v", s)
	}
	if ch := gateNamed(res.Gates, "checks"); ch.Passed || !strings.Contains(ch.Reason, "by develop's settings") {
		t.Fatalf("checks gate = %+v", ch)
	}
	if _, err := f.e.FinishTopic(ctx, "feature/debug", FinishOptions{Override: "debugging, INC-3"}); err != nil {
		t.Fatalf("finish with override = %v", err)
	}
}

func TestDiffPromotionsAndChecks(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name            string
		old, cur        string // extra ferry.yaml
		relaxed, tightr string
	}{
		{"approvals dropped", "  promotions:\n    - {from: staging, to: main, gates: {checks: true, approvals: 2}}\n",
			"  promotions:\n    - {from: staging, to: main, gates: {checks: true, approvals: 1}}\n",
			"promotion to main: approvals 2 → 1", ""},
		{"checks gate dropped", "", "  promotions:\n    - {from: develop, to: staging, gates: {checks: false}}\n",
			"promotion to staging: drops the checks gate; removes the gates of the promotion to main; removes the gates of the promotion to release", ""},
		{"allowed regions widened", "  checks:\n    allowedRegions: [eu-west-1]\n", "  checks:\n    allowedRegions: [eu-west-1, us-east-1]\n", "allows region us-east-1", ""},
		{"regions restricted", "", "  checks:\n    allowedRegions: [eu-west-1]\n", "", "restricts the regions to eu-west-1"},
	} {
		o := parseTestYAML(t, testYAML+c.old)
		n := parseTestYAML(t, testYAML+c.cur)
		rel, tig := diffChecks(o.Spec.Checks, n.Spec.Checks)
		r2, t2 := diffPromotions(o.Spec.Promotions, n.Spec.Promotions)
		rel, tig = append(rel, r2...), append(tig, t2...)
		if got := strings.Join(rel, "; "); got != c.relaxed {
			t.Errorf("%s: relaxed = %q, want %q", c.name, got, c.relaxed)
		}
		if got := strings.Join(tig, "; "); got != c.tightr {
			t.Errorf("%s: tightened = %q, want %q", c.name, got, c.tightr)
		}
	}
}

func parseTestYAML(t *testing.T, y string) *platform.Platform {
	t.Helper()
	p, err := platform.Parse([]byte(y), "ferry.yaml", "")
	mustNoErr(t, err)
	return p
}
