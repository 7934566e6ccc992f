// Command apply benchmarks ferry's Kubernetes apply against
// `kubectl apply --server-side -f` on the same rendered files and the same
// kube-apiserver (the test harness control plane, started here):
//
//	make bench-apply            # sizes 100,1000,10000; kubectl up to 1000
//	go run ./hack/bench/apply -sizes 100,1000 -kubectl-max 1000
//
// For each size N it writes N objects (a third each ConfigMaps, Services and
// Deployments with 0 replicas, so pod churn does not load the 2-core
// machine during the timing) into a YAML file, applies it with kubectl into
// one namespace and with ferry (package kube, in a child process so its peak
// RSS is its own) into another, then re-applies the unchanged set with ferry
// and counts the write requests it sent (non-GET requests that are not
// dry-runs). It prints one line per size and the ratios.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"ferry.dev/ferry/internal/kube"
	"ferry.dev/ferry/internal/render"
	"ferry.dev/ferry/internal/testenv"
)

func main() {
	if os.Getenv("FERRY_BENCH_CHILD") != "" {
		if err := child(); err != nil {
			fmt.Fprintln(os.Stderr, "Error:", err)
			os.Exit(1)
		}
		return
	}
	sizes := flag.String("sizes", "100,1000,10000", "object counts")
	kubectlMax := flag.Int("kubectl-max", 1000, "largest size kubectl also runs (it takes ~30s per 1,000)")
	flag.Parse()
	if err := run(*sizes, *kubectlMax); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func run(sizes string, kubectlMax int) error {
	ctx := context.Background()
	fmt.Fprintln(os.Stderr, "starting the control plane…")
	cp, err := testenv.StartControlPlane(ctx, testenv.Options{Nodes: 1})
	if err != nil {
		return err
	}
	defer cp.Stop()
	dir, err := os.MkdirTemp("", "ferry-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Println("resync: the unchanged set applied again, twice (2nd/3rd run); writes: non-dry-run write requests")
	fmt.Printf("%-7s %12s %12s %8s %14s %12s %12s\n", "objects", "kubectl", "ferry", "ratio", "resync", "writes", "ferry-maxrss")
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 3 {
			return fmt.Errorf("bad size %q", s)
		}
		if err := one(ctx, cp, dir, n, n <= kubectlMax); err != nil {
			return fmt.Errorf("size %d: %w", n, err)
		}
	}
	return nil
}

func one(ctx context.Context, cp *testenv.ControlPlane, dir string, n int, withKubectl bool) error {
	kns, fns := fmt.Sprintf("bench-kubectl-%d", n), fmt.Sprintf("bench-ferry-%d", n)
	kfile, ffile := filepath.Join(dir, kns+".yaml"), filepath.Join(dir, fns+".yaml")
	if err := os.WriteFile(kfile, manifest(kns, n), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(ffile, manifest(fns, n), 0o644); err != nil {
		return err
	}
	kubectlTime := "-"
	var kd time.Duration
	if withKubectl {
		start := time.Now()
		cmd := exec.CommandContext(ctx, "kubectl", "--kubeconfig", cp.Kubeconfig, "--context", cp.Context,
			"apply", "--server-side", "--field-manager", "kubectl-bench", "-f", kfile)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("kubectl: %w: %s", err, tail(out))
		}
		kd = time.Since(start)
		kubectlTime = kd.Round(time.Millisecond).String()
	}
	before := planeCPU(cp)
	first, err := runChild(cp, ffile)
	if err != nil {
		return err
	}
	if os.Getenv("FERRY_BENCH_TRACE") != "" {
		after := planeCPU(cp)
		for name, t := range after {
			fmt.Fprintf(os.Stderr, "  %s cpu during the first ferry apply: %s\n", name, t-before[name])
		}
	}
	again, err := runChild(cp, ffile)
	if err != nil {
		return err
	}
	third, err := runChild(cp, ffile)
	if err != nil {
		return err
	}
	ratio := "-"
	if kd > 0 {
		ratio = fmt.Sprintf("%.1fx", float64(kd)/float64(first.Wall))
	}
	fmt.Printf("%-7d %12s %12s %8s %14s %12s %10dMB\n", n, kubectlTime, first.Wall.Round(time.Millisecond), ratio,
		fmt.Sprintf("%s/%s", again.Wall.Round(time.Millisecond), third.Wall.Round(time.Millisecond)),
		fmt.Sprintf("%d/%d", again.Writes, third.Writes), max(first.MaxRSSKB, again.MaxRSSKB, third.MaxRSSKB)/1024)
	return nil
}

// manifest writes n objects: ConfigMaps, Services and 0-replica Deployments.
func manifest(ns string, n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n", ns)
	for i := 0; i < n-1; i++ {
		b.WriteString("---\n")
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  namespace: %s\ndata:\n  key: value-%d\n  other: %q\n", i, ns, i, strings.Repeat("x", 64))
		case 1:
			fmt.Fprintf(&b, "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-%d\n  namespace: %s\nspec:\n  selector:\n    app: app-%d\n  ports:\n  - port: 80\n    targetPort: 8080\n", i, ns, i)
		case 2:
			fmt.Fprintf(&b, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%[1]d
  namespace: %[2]s
spec:
  replicas: 0
  selector:
    matchLabels:
      app: app-%[1]d
  template:
    metadata:
      labels:
        app: app-%[1]d
    spec:
      containers:
      - name: app
        image: nginx:1.27.0
        ports:
        - containerPort: 8080
`, i, ns)
		}
	}
	return b.Bytes()
}

// childResult is what the child process reports.
type childResult struct {
	Wall     time.Duration
	Writes   int64
	Changed  int
	MaxRSSKB int64
}

func runChild(cp *testenv.ControlPlane, file string) (childResult, error) {
	self, err := os.Executable()
	if err != nil {
		return childResult{}, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), "FERRY_BENCH_CHILD=1", "FERRY_BENCH_FILE="+file,
		"FERRY_BENCH_KUBECONFIG="+cp.Kubeconfig, "FERRY_BENCH_CONTEXT="+cp.Context)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return childResult{}, fmt.Errorf("ferry apply: %w", err)
	}
	var r childResult
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		return childResult{}, fmt.Errorf("ferry apply output: %w", err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.MaxRSSKB = ru.Maxrss
	}
	if os.Getenv("FERRY_BENCH_TRACE") != "" {
		fmt.Fprintf(os.Stderr, "ferry cpu: user %s sys %s\n", cmd.ProcessState.UserTime(), cmd.ProcessState.SystemTime())
	}
	return r, nil
}

// writeCounter counts requests that write: not GET/HEAD/LIST/WATCH and not
// a dry-run.
type writeCounter struct {
	next   http.RoundTripper
	writes *int64
}

func (w writeCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.URL.Query().Get("dryRun") == "" {
		atomic.AddInt64(w.writes, 1)
	}
	return w.next.RoundTrip(r)
}

// child reads the file, renders it the way ferry does and applies it with
// package kube, timing from reading the file to the end of the apply.
func child() error {
	ctx := context.Background()
	var peak uint64
	stop := make(chan struct{})
	defer close(stop)
	if os.Getenv("FERRY_BENCH_TRACE") != "" {
		go func() {
			var ms runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak {
					peak = ms.HeapAlloc
				}
			}
		}()
	}
	start := time.Now()
	data, err := os.ReadFile(os.Getenv("FERRY_BENCH_FILE"))
	if err != nil {
		return err
	}
	objs, err := render.ParseManifests(data, "bench.yaml")
	if err != nil {
		return err
	}
	var writes int64
	c, err := kube.Connect(kube.Options{
		Kubeconfig: os.Getenv("FERRY_BENCH_KUBECONFIG"), Context: os.Getenv("FERRY_BENCH_CONTEXT"), Workers: workers(),
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper { return writeCounter{next: rt, writes: &writes} },
	})
	if err != nil {
		return err
	}
	connected := time.Now()
	res, err := c.Apply(ctx, kube.Owner{Env: "bench", Component: filepath.Base(os.Getenv("FERRY_BENCH_FILE"))}, objs,
		kube.ApplyOptions{Revision: "bench", Prune: true})
	if err != nil {
		return err
	}
	if os.Getenv("FERRY_BENCH_TRACE") != "" {
		fmt.Fprintf(os.Stderr, "parse+connect %s, phases %v, peak heap %dMB\n", connected.Sub(start), res.Timings, peak>>20)
	}
	changed := 0
	for _, ch := range res.Changes {
		if ch.Action != kube.ActionUnchanged {
			changed++
		}
	}
	return json.NewEncoder(os.Stdout).Encode(childResult{Wall: time.Since(start), Writes: writes, Changed: changed})
}

func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// workers reads FERRY_BENCH_WORKERS (0: kube's default).
func workers() int {
	n, _ := strconv.Atoi(os.Getenv("FERRY_BENCH_WORKERS"))
	return n
}

// planeCPU returns the user+system CPU time each control plane process has
// used so far (from /proc/PID/stat, in clock ticks of 10ms).
func planeCPU(cp *testenv.ControlPlane) map[string]time.Duration {
	out := map[string]time.Duration{}
	for name, pid := range cp.PIDs() {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 13 {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		out[name] = time.Duration(ut+st) * 10 * time.Millisecond
	}
	return out
}
