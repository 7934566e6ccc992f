package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"

	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// BenchmarkServe measures real ferry serve processes on the harness plane
// (not the test process): idle on the reference platform with its three
// environments (dev and staging deployed, production waiting), and idle
// with 10,000 ConfigMaps under management and watched. It reports the
// process's RSS (resident set; anonymous memory, the heap and stacks; and
// file-backed pages, the mapped binary), its CPU over the idle window,
// and the write requests the API server received in that window. Run with
// make bench-agent.
func BenchmarkServe(b *testing.B) {
	bin := testenv.FerryBinary(b)
	objects := 10000
	if s := os.Getenv("FERRY_BENCH_OBJECTS"); s != "" {
		objects, _ = strconv.Atoi(s)
	}
	for b.Loop() {
		ref := serveReferenceIdle(b, bin)
		ref.report(b, "ref")
		big := serveObjectsIdle(b, bin, objects)
		big.report(b, "objects")
		fmt.Fprintf(os.Stderr, "ferry serve idle, reference platform: %s\nferry serve idle, %d ConfigMaps watched: %s (synced in %s)\n",
			ref, objects, big, big.synced.Round(100*time.Millisecond))
	}
}

// idleSample is one process's cost over an idle window.
type idleSample struct {
	rss, anon, file, hwm int // kB
	cpu                  time.Duration
	window               time.Duration
	writes               map[string]int // resource → write requests the API server saw
	synced               time.Duration  // push → deployed, where measured
}

func (s idleSample) cpuPercent() float64 { return 100 * s.cpu.Seconds() / s.window.Seconds() }

func (s idleSample) totalWrites() (n int) {
	for _, c := range s.writes {
		n += c
	}
	return n
}

func (s idleSample) String() string {
	return fmt.Sprintf("RSS %.0f MB (anon %.0f MB, file %.0f MB; peak %.0f MB), CPU %.2f%% of a core over %s, %d write requests %v",
		mb(s.rss), mb(s.anon), mb(s.file), mb(s.hwm), s.cpuPercent(), s.window.Round(time.Second), s.totalWrites(), s.writes)
}

func (s idleSample) report(b *testing.B, prefix string) {
	b.ReportMetric(mb(s.rss), prefix+"-rss-MB")
	b.ReportMetric(mb(s.anon), prefix+"-anon-MB")
	b.ReportMetric(s.cpuPercent(), prefix+"-idle-cpu-%")
	b.ReportMetric(float64(s.totalWrites()), prefix+"-idle-writes")
	if s.synced > 0 {
		b.ReportMetric(s.synced.Seconds(), prefix+"-sync-s")
	}
}

func mb(kb int) float64 { return float64(kb) / 1024 }

// serveReferenceIdle runs ferry serve on the reference platform at the
// default poll interval, waits for dev and staging to deploy, and samples.
func serveReferenceIdle(b *testing.B, bin string) idleSample {
	f := newPlatform(b, nil)
	state := b.TempDir()
	p := startServe(b, bin, nil, "--repo", "file://"+f.remote, "--state-dir", state, "--health-timeout", "5m")
	st := openServeStore(b, p, state)
	head := f.head("develop")
	for _, env := range []string{"dev", "staging"} {
		waitDeployed(b, p, st, env, head, 10*time.Minute)
	}
	s := sampleIdle(b, p, f.kube)
	p.stop()
	return s
}

// serveObjectsIdle puts n ConfigMaps under one manifests component,
// times push → deployed, and samples the idle agent watching them.
func serveObjectsIdle(b *testing.B, bin string, n int) idleSample {
	testenv.GitIsolate(b)
	cp := testenv.ControlPlaneFor(b)
	kc := cp.KubeconfigAs(b, "ferry-local")
	kube := kubernetes.NewForConfigOrDie(restConfig(b, kc))
	remote := testenv.GitRemote(b)
	clone := testenv.GitClone(b, remote)
	yaml := strings.NewReplacer("- name: "+benchEnv+"\n", "- name: objects\n", "namespace: bench", "namespace: bench-objects",
		"healthTimeout: 1m", "healthTimeout: 20m").Replace(benchYAML)
	os.MkdirAll(filepath.Join(clone, "config"), 0o755)
	os.WriteFile(filepath.Join(clone, "ferry.yaml"), []byte(yaml), 0o644)
	os.WriteFile(filepath.Join(clone, "config", "namespace.yaml"), []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bench-objects\n"), 0o644)
	var docs strings.Builder
	for i := range n {
		fmt.Fprintf(&docs, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%05d\n  namespace: bench-objects\ndata:\n  value: %q\n", i, strconv.Itoa(i))
	}
	os.WriteFile(filepath.Join(clone, "config", "configmaps.yaml"), []byte(docs.String()), 0o644)
	testenv.GitRun(b, clone, "checkout", "-q", "-b", "develop")
	testenv.GitRun(b, clone, "add", "-A")
	testenv.GitRun(b, clone, "commit", "-qm", "feat: many objects")
	head := testenv.GitRun(b, clone, "rev-parse", "HEAD")

	state := b.TempDir()
	t0 := time.Now()
	testenv.GitRun(b, clone, "push", "-q", "origin", "develop")
	p := startServe(b, bin, nil, "--repo", "file://"+remote, "--state-dir", state, "--health-timeout", "20m")
	st := openServeStore(b, p, state)
	waitDeployed(b, p, st, "objects", head, 30*time.Minute)
	synced := time.Since(t0)
	fmt.Fprintf(os.Stderr, "the sync of %d ConfigMaps, from ferry serve's log:\n%s", n, deploySteps(p.logs.String()))
	s := sampleIdle(b, p, kube)
	s.synced = synced
	return s
}

// openServeStore opens the store ferry serve --repo URL keeps in its state dir.
func openServeStore(b *testing.B, p *serveProc, state string) store.Store {
	path := filepath.Join(state, ".ferry", "state.db")
	waitB(b, 5*time.Minute, func() bool {
		_, err := os.Stat(path)
		return err == nil || p.cmd.ProcessState != nil
	})
	st, err := store.OpenSQLite(context.Background(), path)
	if err != nil {
		b.Fatalf("open the agent's store: %v\n%s", err, p.logs)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

func waitDeployed(b *testing.B, p *serveProc, st store.Store, env, rev string, within time.Duration) {
	b.Helper()
	deadline := time.Now().Add(within)
	for {
		ds, _ := st.Deployments(context.Background(), store.DeploymentFilter{Env: env, Revision: rev, Status: store.StatusSucceeded, Limit: 1})
		if len(ds) == 1 {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s not deployed at %s within %s:\n%s", env, rev, within, tail(p.logs.String(), 4000))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// idleSettle lets the last sync's drift check and the watches' initial
// lists finish before the idle window starts.
const idleSettle = 15 * time.Second

// sampleIdle waits idleSettle, then measures the process and the API
// server's write requests over 30 idle seconds.
func sampleIdle(b *testing.B, p *serveProc, kube *kubernetes.Clientset) idleSample {
	time.Sleep(idleSettle)
	pid := p.cmd.Process.Pid
	w0 := apiWrites(b, kube)
	c0 := procCPU(b, pid)
	t0 := time.Now()
	time.Sleep(30 * time.Second)
	c1 := procCPU(b, pid)
	w1 := apiWrites(b, kube)
	s := idleSample{cpu: c1 - c0, window: time.Since(t0), writes: map[string]int{}}
	for k, v := range w1 {
		if d := v - w0[k]; d > 0 {
			s.writes[k] = d
		}
	}
	status := procStatus(b, pid)
	s.rss, s.anon, s.file, s.hwm = status["VmRSS"], status["RssAnon"], status["RssFile"], status["VmHWM"]
	return s
}

func procCPU(b *testing.B, pid int) time.Duration {
	d, err := testenv.ProcCPU(pid)
	if err != nil {
		b.Fatal(err)
	}
	return d
}

func procStatus(b *testing.B, pid int) map[string]int {
	s, err := testenv.ProcStatus(pid)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func apiWrites(b *testing.B, kube *kubernetes.Clientset) map[string]int {
	w, err := testenv.APIWrites(context.Background(), kube)
	if err != nil {
		b.Fatal(err)
	}
	return w
}

// deploySteps are the time and message of each log line of a deployment.
func deploySteps(logs string) string {
	var out strings.Builder
	for _, line := range strings.Split(logs, "\n") {
		var l struct {
			Time       time.Time `json:"time"`
			Msg        string    `json:"msg"`
			Deployment int64     `json:"deployment"`
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.Deployment != 0 {
			fmt.Fprintf(&out, "  %s %s\n", l.Time.Format("15:04:05.000"), l.Msg)
		}
	}
	return out.String()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
