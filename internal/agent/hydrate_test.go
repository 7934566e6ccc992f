package agent_test

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"ferry.dev/ferry/internal/store"
)

// TestAgentHydrates: with spec.environments[].hydrate the agent keeps the
// environment's rendered-manifests branch on the remote current: dev's
// (autoSync on) at each successful deployment, production's (autoSync off:
// Argo CD or Flux applies it) at its lane's head, which ferry never
// deploys itself.
func TestAgentHydrates(t *testing.T) {
	f := newPlatform(t, func(s string) string {
		s = strings.Replace(s, "      lane: develop\n", "      lane: develop\n      hydrate: {}\n", 1)
		s = strings.Replace(s, "      lane: staging\n      autoSync: true\n", "      lane: staging\n      autoSync: false\n", 1)
		return strings.Replace(s, "      lane: release\n", "      lane: release\n      hydrate: {branch: rendered/production}\n", 1)
	})
	_, _, _ = f.start(f.config(300*time.Millisecond), nil)
	source := func(branch string) func() (bool, string) {
		return func() (bool, string) {
			msg, err := gitOut(f.remote, "log", "-1", "--format=%B", "refs/heads/"+branch)
			if err != nil {
				return false, branch + " not on the remote yet: " + err.Error()
			}
			return true, msg
		}
	}
	develop := f.head("develop")
	f.deployedAt("dev", develop, 4*time.Minute)
	waitFor(t, time.Minute, func() (bool, string) {
		ok, msg := source("env/dev")()
		return ok && strings.Contains(msg, "Ferry-Revision: "+develop), "env/dev: " + msg
	})
	release := f.head("release")
	waitFor(t, time.Minute, func() (bool, string) {
		ok, msg := source("rendered/production")()
		return ok && strings.Contains(msg, "Ferry-Revision: "+release), "rendered/production: " + msg
	})
	files, _ := gitOut(f.remote, "ls-tree", "-r", "--name-only", "rendered/production")
	if !strings.Contains(files, "aws/backstage.yaml") || !strings.Contains(files, "azure/") {
		t.Fatalf("rendered/production holds:\n%s", files)
	}

	// A change deployed to dev moves env/dev on top of the last hydrate.
	before, _ := gitOut(f.remote, "rev-parse", "refs/heads/env/dev")
	f.commitOn("develop", "apps/backstage/base/hydrate-probe.yaml",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hydrate-probe\ndata:\n  k: v\n", "feat: a probe")
	kust, err := gitOut(f.remote, "show", "develop:apps/backstage/base/kustomization.yaml")
	if err != nil || !strings.Contains(kust, "resources:\n") {
		t.Fatalf("backstage base kustomization: %v\n%s", err, kust)
	}
	next := f.commitOn("develop", "apps/backstage/base/kustomization.yaml",
		strings.Replace(kust, "resources:\n", "resources:\n  - hydrate-probe.yaml\n", 1), "feat: deploy the probe")
	f.deployedAt("dev", next, 4*time.Minute)
	waitFor(t, time.Minute, func() (bool, string) {
		ok, msg := source("env/dev")()
		return ok && strings.Contains(msg, "Ferry-Revision: "+next), "env/dev: " + msg
	})
	parent, _ := gitOut(f.remote, "rev-parse", "refs/heads/env/dev^")
	if strings.TrimSpace(parent) != strings.TrimSpace(before) {
		t.Fatalf("env/dev^ = %s, want the previous hydrate %s", parent, before)
	}
	if probe, _ := gitOut(f.remote, "show", "env/dev:local/backstage.yaml"); !strings.Contains(probe, "hydrate-probe") {
		t.Fatal("env/dev does not hold the change")
	}
	if ds, _ := f.st.Deployments(t.Context(), store.DeploymentFilter{Env: "production"}); len(ds) != 0 {
		t.Fatalf("production was deployed although autoSync is off: %+v", ds)
	}
}

// gitOut runs git in dir and returns its output, or the error with
// git's message.
func gitOut(dir string, args ...string) (string, error) {
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}
