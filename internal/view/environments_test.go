package view_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
	"ferry.dev/ferry/internal/view"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const yaml = `apiVersion: ferry.dev/v1alpha1
kind: Platform
metadata:
  name: view-test
spec:
  lanes:
    - name: develop
    - name: staging
    - name: main
    - name: release
  environments:
    - name: dev
      lane: develop
      targets:
        - {name: local, order: 1, kube: {context: c, kubeconfig: /secret/kubeconfig}}
    - name: staging
      lane: staging
      targets:
        - {name: b, order: 2, kube: {context: c}}
        - {name: a, order: 1, kube: {context: c}, terraform: {backend: s3, backendConfig: {access_key: AKIA-SECRET}}}
    - name: production
      lane: release
      targets:
        - {name: aws, order: 1, kube: {context: c}}
  components:
    - name: web
      type: manifests
      path: apps/web
      inputs:
        dev: {vars: {password: hunter2}}
`

// TestEnvironments derives each environment's view from the store and the
// lane heads, on SQLite and PostgreSQL: never deployed; synced; out of
// sync after the lane moved; a failed latest deployment next to the last
// good one; drift shown until a deployment follows it; the lock holder;
// the agent's last outcome; targets in rollout order.
func TestEnvironments(t *testing.T) {
	p, err := platform.Parse([]byte(yaml), "ferry.yaml", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, be := range []struct {
		name string
		open func() (store.Store, error)
	}{
		{"sqlite", func() (store.Store, error) {
			return store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "s.db"))
		}},
		{"postgres", func() (store.Store, error) { return store.OpenPostgres(context.Background(), testenv.PostgresDSN(t)) }},
	} {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			st, err := be.open()
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			testEnvironments(t, p, st)
		})
	}
}

func testEnvironments(t *testing.T, p *platform.Platform, st store.Store) {
	ctx := context.Background()
	deploy := func(env, rev string, status store.Status, at time.Time) int64 {
		id, err := st.StartDeployment(ctx, store.Deployment{Env: env, Revision: rev, Version: "v1", Actor: "ana", StartedAt: at})
		if err == nil {
			err = st.FinishDeployment(ctx, id, store.DeploymentResult{Status: status, Healthy: status == store.StatusSucceeded,
				EndedAt: at.Add(time.Minute), Targets: []store.TargetResult{{Target: "a", Status: status, Error: "boom"}}})
		}
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	now := time.Now().Add(-time.Hour)
	deploy("dev", "d1", store.StatusSucceeded, now)
	goodStaging := deploy("staging", "s1", store.StatusSucceeded, now)
	failed := deploy("staging", "s2", store.StatusFailed, now.Add(10*time.Minute))
	deploy("production", "p1", store.StatusSucceeded, now)
	// Drift in dev after its deployment; drift in production before its.
	st.AppendEvent(ctx, store.Event{Kind: agent.EventDrift, Env: "dev", Time: now.Add(30 * time.Minute), Message: "drift",
		Data: `{"revision":"d1","mode":"detect","details":"local/web: 1 object","objects":[{"target":"local","component":"web",` +
			`"object":"apps/v1/Deployment/web/web","action":"configure","fields":["/spec/replicas"]}],"objectsTotal":3}`})
	st.AppendEvent(ctx, store.Event{Kind: agent.EventDrift, Env: "production", Time: now.Add(-time.Hour), Message: "old drift"})
	st.AppendEvent(ctx, store.Event{Kind: agent.EventReconcile, Env: "dev", Message: "up to date",
		Data: `{"action":"up-to-date","message":"up to date: dev runs d1"}`})
	if _, err := st.AcquireLock(ctx, store.EnvLockName("staging"), "bo@host", time.Minute); err != nil {
		t.Fatal(err)
	}
	src := view.Source{P: p, Store: st, Heads: map[string]string{"develop": "d1", "staging": "s9"}}
	envs, err := view.Environments(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(envs) != 3 || envs[0].Name != "dev" || envs[2].Name != "production" {
		t.Fatalf("environments %+v", envs)
	}
	dev, staging, prod := envs[0], envs[1], envs[2]
	if dev.Sync != view.SyncSynced || dev.Revision != "d1" || dev.Drift == nil || dev.Drift.Details != "local/web: 1 object" ||
		dev.Agent == nil || dev.Agent.Action != agent.ActionUpToDate || dev.Lock != nil || dev.Production {
		t.Errorf("dev %+v", dev)
	}
	if d := dev.Drift; d == nil || len(d.Objects) != 1 || d.ObjectsTotal != 3 || d.Objects[0].Object != "apps/v1/Deployment/web/web" ||
		len(d.Objects[0].Fields) != 1 || d.Objects[0].Fields[0] != "/spec/replicas" {
		t.Errorf("dev's drifted objects %+v", dev.Drift)
	}
	if staging.Sync != view.SyncOutOfSync || staging.Revision != "s1" || staging.Deployment.ID != failed ||
		staging.Deployment.Status != store.StatusFailed || staging.Lock == nil || staging.Lock.Owner != "bo@host" {
		t.Errorf("staging %+v (good %d)", staging, goodStaging)
	}
	if len(staging.Targets) != 2 || staging.Targets[0].Name != "a" || staging.Targets[0].Status != store.StatusFailed ||
		staging.Targets[0].Revision != "s1" || staging.Targets[1].Status != "" {
		t.Errorf("staging targets %+v", staging.Targets)
	}
	if prod.Sync != view.SyncUnknown || prod.Drift != nil || !prod.Production {
		t.Errorf("production %+v", prod)
	}
	if _, err := view.EnvironmentOf(ctx, src, "moon"); err == nil {
		t.Error("an unknown environment has a view")
	}
	empty := view.Source{P: p, Store: st, Heads: map[string]string{"develop": "x"}}
	st2, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	empty.Store = st2
	if e, err := view.EnvironmentOf(ctx, empty, "dev"); err != nil || e.Sync != view.SyncNeverDeployed || e.Targets[0].Health != "never deployed" {
		t.Errorf("never deployed: %+v %v", e, err)
	}
}

// TestPlatformHasNoSecrets: the platform view drops kubeconfig paths,
// backend configuration and component inputs.
func TestPlatformHasNoSecrets(t *testing.T) {
	p, err := platform.Parse([]byte(yaml), "ferry.yaml", "")
	if err != nil {
		t.Fatal(err)
	}
	v := view.PlatformOf(p)
	s := fmt.Sprintf("%+v", v)
	for _, secret := range []string{"/secret/kubeconfig", "AKIA-SECRET", "hunter2"} {
		if strings.Contains(s, secret) {
			t.Errorf("the platform view holds %q: %s", secret, s)
		}
	}
	if v.Production != "production" || v.Environments[1].Targets[0].Name != "a" || v.Environments[1].Targets[0].Backend != "s3" {
		t.Errorf("platform view %+v", v)
	}
}
