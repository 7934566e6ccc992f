package agent_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

const benchYAML = `apiVersion: ferry.dev/v1alpha1
kind: Platform
metadata:
  name: bench
spec:
  lanes:
    - name: develop
  environments:
    - name: bench
      lane: develop
      autoSync: true
      drift: heal
      driftInterval: 1h
      healthTimeout: 1m
      targets:
        - name: local
          kube:
            context: ferry-local
  components:
    - name: config
      type: manifests
      path: config
      namespace: bench
  checks:
    policyDirs: []
`

// benchEnv is the benchmark platform's one environment, named apart from
// the reference platform's: objects ferry applies are owned by environment
// and component, so two platforms sharing an environment name on one
// cluster would prune each other's components.
const benchEnv = "bench"

func benchConfigMap(v int) string {
	return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bench\n  namespace: bench\ndata:\n  value: %q\n", strconv.Itoa(v))
}

// BenchmarkAgent measures, on the harness plane, push → deployed and
// healthy for a one-ConfigMap change (through the remote's post-receive
// webhook, and with polling only) and hand edit → healed; BenchmarkServe
// measures the idle process. Run with make bench-agent.
func BenchmarkAgent(b *testing.B) {
	testenv.GitIsolate(b)
	cp := testenv.ControlPlaneFor(b)
	kc := cp.KubeconfigAs(b, "ferry-local")
	remote := testenv.GitRemote(b)
	clone := testenv.GitClone(b, remote)
	os.MkdirAll(filepath.Join(clone, "config"), 0o755)
	os.WriteFile(filepath.Join(clone, "ferry.yaml"), []byte(benchYAML), 0o644)
	os.WriteFile(filepath.Join(clone, "config", "namespace.yaml"), []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bench\n"), 0o644)
	os.WriteFile(filepath.Join(clone, "config", "configmap.yaml"), []byte(benchConfigMap(0)), 0o644)
	testenv.GitRun(b, clone, "checkout", "-q", "-b", "develop")
	testenv.GitRun(b, clone, "add", "-A")
	testenv.GitRun(b, clone, "commit", "-qm", "feat: bench platform")
	testenv.GitRun(b, clone, "push", "-q", "origin", "develop")
	state := b.TempDir()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(state, "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	secret := []byte("bench-secret")
	kube := kubernetes.NewForConfigOrDie(restConfig(b, kc))
	n := 20
	if s := os.Getenv("FERRY_BENCH_PUSHES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	run := func(name string, poll time.Duration, pushes int, hook bool) []time.Duration {
		cfg := agent.Config{Source: remote, StateDir: filepath.Join(state, name), Store: st, PollInterval: poll,
			Deploy: deploy.Options{StateDir: filepath.Join(state, "deploy")}, BackoffBase: 100 * time.Millisecond}
		a, url, stop := startAgent(b, cfg, st, secret)
		defer stop()
		if hook {
			testenv.InstallPushHook(b, remote, url+"/hooks/github", "github", secret)
			defer os.Remove(filepath.Join(remote, "hooks", "post-receive"))
		}
		waitB(b, time.Minute, func() bool { return a.Health().Leader })
		var lat []time.Duration
		for i := range pushes {
			if !hook {
				// A push lands anywhere in the poll cycle, not right after
				// the poll that deployed the previous one.
				time.Sleep(rand.N(poll))
			}
			os.WriteFile(filepath.Join(clone, "config", "configmap.yaml"), []byte(benchConfigMap(int(time.Now().UnixNano())+i)), 0o644)
			testenv.GitRun(b, clone, "commit", "-qam", "feat: value")
			rev := testenv.GitRun(b, clone, "rev-parse", "HEAD")
			t0 := time.Now()
			testenv.GitRun(b, clone, "push", "-q", "origin", "develop")
			waitB(b, 2*time.Minute, func() bool {
				ds, _ := st.Deployments(context.Background(), store.DeploymentFilter{Env: benchEnv, Revision: rev, Status: store.StatusSucceeded, Limit: 1})
				return len(ds) == 1
			})
			lat = append(lat, time.Since(t0))
		}
		if name == "webhook" {
			benchDrift(b, kube, st)
		}
		return lat
	}
	for b.Loop() {
		web := run("webhook", time.Hour, n, true)
		pollOnly := run("poll", 10*time.Second, max(3, n/2), false)
		b.ReportMetric(pct(web, 50).Seconds(), "webhook-p50-s")
		b.ReportMetric(pct(web, 95).Seconds(), "webhook-p95-s")
		b.ReportMetric(pct(pollOnly, 50).Seconds(), "poll10s-p50-s")
		b.ReportMetric(pct(pollOnly, 95).Seconds(), "poll10s-p95-s")
		fmt.Fprintf(os.Stderr, "push -> deployed: webhook %v\npoll 10s: %v\n", web, pollOnly)
	}
}

var healed time.Duration

// benchDrift edits the managed ConfigMap by hand and times the drift
// record (detected) and the heal (corrected).
func benchDrift(b *testing.B, kube *kubernetes.Clientset, st store.Store) {
	ctx := context.Background()
	cm, err := kube.CoreV1().ConfigMaps("bench").Get(ctx, "bench", metav1.GetOptions{})
	if err != nil {
		b.Fatal(err)
	}
	want := cm.Data["value"]
	time.Sleep(3 * time.Second) // past the settle window of the last sync
	cm.Data["value"] = "edited-by-hand"
	t0 := time.Now()
	if _, err := kube.CoreV1().ConfigMaps("bench").Update(ctx, cm, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
		b.Fatal(err)
	}
	waitB(b, time.Minute, func() bool {
		c, err := kube.CoreV1().ConfigMaps("bench").Get(ctx, "bench", metav1.GetOptions{})
		return err == nil && c.Data["value"] == want
	})
	healed = time.Since(t0)
	evs, err := st.Events(ctx, store.EventFilter{Kind: agent.EventDrift, Env: benchEnv, Since: t0})
	if err != nil || len(evs) == 0 {
		b.Fatalf("the heal left no drift event (%v)", err)
	}
	b.ReportMetric(evs[len(evs)-1].Time.Sub(t0).Seconds(), "edit-to-detected-s") // the first since the edit
	b.ReportMetric(healed.Seconds(), "edit-to-healed-s")
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p+99)/100 - 1
	return s[max(0, min(i, len(s)-1))]
}

func waitB(b *testing.B, within time.Duration, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("not within %s", within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func restConfig(b *testing.B, kc string) *rest.Config {
	cfg, err := clientcmd.BuildConfigFromFlags("", kc)
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}
