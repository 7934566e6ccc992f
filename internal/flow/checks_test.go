package flow

import (
	"context"
	"errors"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/check/scan"
	"ferry.dev/ferry/internal/store"
)

const privilegedPod = `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: x}
spec:
  containers:
    - name: a
      image: a:1
      securityContext: {privileged: true}
`

// The checks gate runs the real pipeline on the candidate when no passing
// run is recorded, records the run, and re-checks after a failed one.
func TestChecksGateRunsPipeline(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	bad := f.commitOn("develop", "pod.yaml", privilegedPod, "feat: pod")

	// Without a checker a recorded failed run stands.
	id, err := f.e.Store.RecordCheckRun(ctx, store.CheckRun{Revision: bad, Summary: "recorded failure"})
	mustNoErr(t, err)
	g := f.e.checksGate(ctx, bad, nil, "")
	if g.Passed || !strings.Contains(g.Reason, "recorded failure") || g.Evidence[0] != "check-run:"+itoa(id) {
		t.Fatalf("gate with NoChecker = %+v", g)
	}

	f.e.Checker = scan.Checker{}
	_, err = f.e.Promote(ctx, "staging", PromoteOptions{})
	var ge *GateError
	if !errors.As(err, &ge) || !strings.Contains(err.Error(), "FERRY-K8S-001 pod.yaml") || !strings.Contains(err.Error(), "1 at or above high") {
		t.Fatalf("promotion of a privileged pod = %v", err)
	}
	run, err := f.e.Store.LatestCheckRun(ctx, bad)
	mustNoErr(t, err)
	if run.ID == id || run.Passed || run.Counts["high"] != 1 {
		t.Fatalf("recorded run = %+v, want a new failed run with one high finding", run)
	}

	good := f.commitOn("develop", "pod.yaml", strings.Replace(privilegedPod, "privileged: true", "privileged: false", 1), "fix: unprivileged")
	res, err := f.e.Promote(ctx, "staging", PromoteOptions{})
	mustNoErr(t, err)
	run, err = f.e.Store.LatestCheckRun(ctx, good)
	mustNoErr(t, err)
	if !run.Passed || run.Revision != good || res.Gates[0].Evidence[0] != "check-run:"+itoa(run.ID) {
		t.Fatalf("run = %+v, gates = %+v", run, res.Gates)
	}
	// A passing run is reused, not re-run.
	if g := f.e.checksGate(ctx, good, nil, ""); !g.Passed || g.Evidence[0] != "check-run:"+itoa(run.ID) {
		t.Fatalf("second gate = %+v", g)
	}
}

// A passing run scoped to one environment (ferry validate --env) is not
// evidence for the whole platform: the gate checks the revision itself.
func TestChecksGateIgnoresEnvScopedRun(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	bad := f.commitOn("develop", "pod.yaml", privilegedPod, "feat: pod")
	id, err := f.e.Store.RecordCheckRun(ctx, store.CheckRun{Revision: bad, Env: "dev", Passed: true, Summary: "dev only"})
	mustNoErr(t, err)

	// Without a working checker the env-scoped pass does not open the gate.
	if g := f.e.checksGate(ctx, bad, nil, ""); g.Passed || !strings.Contains(g.Reason, "covers only environment dev") {
		t.Fatalf("gate with NoChecker = %+v", g)
	}

	f.e.Checker = scan.Checker{}
	g := f.e.checksGate(ctx, bad, nil, "")
	if g.Passed || g.Evidence[0] == "check-run:"+itoa(id) || !strings.Contains(g.Reason, "failed") {
		t.Fatalf("gate = %+v, want a fresh failing whole-platform run", g)
	}
}
