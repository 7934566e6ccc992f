package testenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Options configure StartControlPlane. The zero value is usable.
type Options struct {
	// Nodes is how many kwok Nodes to create and wait Ready for (default 2).
	Nodes int
	// ContextName names the kubeconfig context (default "ferry-test").
	ContextName string
	// Dir holds the plane's state and logs. Empty: a new temp dir that Stop
	// removes. Set: created if missing and kept by Stop (logs survive); the
	// plane overwrites what it writes there.
	Dir string
	// Timeout bounds the whole start (default 2m).
	Timeout time.Duration
	// Progress, when set, gets one line per start phase.
	Progress io.Writer
}

func (o *Options) defaults() {
	if o.Nodes <= 0 {
		o.Nodes = 2
	}
	if o.ContextName == "" {
		o.ContextName = "ferry-test"
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
}

// ControlPlane is a running etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and kwok, reachable through Kubeconfig.
type ControlPlane struct {
	Kubeconfig string        // kubeconfig file with one context, Context
	Context    string        // the kubeconfig's context name
	Server     string        // https://127.0.0.1:PORT
	Dir        string        // state and logs (logs/<process>.log)
	Nodes      []string      // names of the kwok Nodes
	Started    time.Duration // wall time from start until Nodes were Ready

	rest      *rest.Config
	client    kubernetes.Interface
	procs     []*process // in start order
	removable []string   // dirs Stop removes
	stopOnce  sync.Once
}

// binaries the plane runs; each is looked up with LookTool.
var planeTools = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"}

// StartControlPlane starts a fresh plane and returns once its Nodes are
// Ready. ctx bounds the start only: the processes run until Stop. On failure
// everything started is stopped and the error carries the failing process's
// log tail. A port taken between FreePort and bind is retried with new ports.
func StartControlPlane(ctx context.Context, opts Options) (*ControlPlane, error) {
	opts.defaults()
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		var cp *ControlPlane
		cp, err = startOnce(ctx, opts)
		if err == nil {
			return cp, nil
		}
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
		fmt.Fprintf(opts.Progress, "testenv: port taken, retrying (%d)\n", attempt)
	}
	return nil, fmt.Errorf("start control plane: %w", err)
}

func startOnce(ctx context.Context, opts Options) (_ *ControlPlane, err error) {
	begin := time.Now()
	cp := &ControlPlane{Context: opts.ContextName}
	defer func() {
		if err != nil {
			cp.Stop()
		}
	}()
	bins, err := lookPlaneTools()
	if err != nil {
		return nil, err
	}
	if err := cp.makeDirs(opts.Dir); err != nil {
		return nil, err
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	pk, err := writePKI(filepath.Join(cp.Dir, "pki"))
	if err != nil {
		return nil, err
	}
	cp.Server = fmt.Sprintf("https://127.0.0.1:%d", ports[2])
	if err := cp.writeKubeconfig(pk); err != nil {
		return nil, err
	}
	for _, ph := range cp.phases(bins, pk, ports, opts) {
		fmt.Fprintf(opts.Progress, "testenv: %s\n", ph.name)
		if err := ph.run(ctx); err != nil {
			return nil, fmt.Errorf("%s: %w", ph.name, err)
		}
	}
	cp.Started = time.Since(begin)
	fmt.Fprintf(opts.Progress, "testenv: control plane ready in %s\n", cp.Started.Round(time.Millisecond))
	return cp, nil
}

type phase struct {
	name string
	run  func(ctx context.Context) error
}

func (cp *ControlPlane) phases(bins map[string]string, pk *pki, ports []int, opts Options) []phase {
	return []phase{
		{"start etcd", func(ctx context.Context) error { return cp.startEtcd(ctx, bins["etcd"], ports[0], ports[1]) }},
		{"start kube-apiserver", func(ctx context.Context) error { return cp.startAPIServer(ctx, bins["kube-apiserver"], pk, ports) }},
		{"start controllers", func(ctx context.Context) error { return cp.startControllers(bins, pk) }},
		{fmt.Sprintf("create %d kwok nodes", opts.Nodes), func(ctx context.Context) error { return cp.createNodes(ctx, opts.Nodes) }},
		{"wait for nodes ready", func(ctx context.Context) error { return cp.waitNodesReady(ctx) }},
	}
}

func lookPlaneTools() (map[string]string, error) {
	bins := make(map[string]string, len(planeTools))
	var errs []error
	for _, tool := range planeTools {
		p, err := LookTool(tool)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		bins[tool] = p
	}
	if _, err := kwokStageFiles(); err != nil {
		errs = append(errs, err)
	}
	return bins, errors.Join(errs...)
}

func (cp *ControlPlane) makeDirs(dir string) error {
	if dir == "" {
		sweepStale(os.TempDir(), "testenv")
		d, err := ownedTempDir(os.TempDir(), "testenv")
		if err != nil {
			return fmt.Errorf("make plane dir: %w", err)
		}
		cp.removable = append(cp.removable, d)
		dir = d
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("resolve plane dir: %w", err)
	}
	cp.Dir = abs
	if err := os.MkdirAll(filepath.Join(abs, "logs"), 0o755); err != nil {
		return fmt.Errorf("make plane dir: %w", err)
	}
	return nil
}

func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for len(ports) < n {
		p, err := FreePort()
		if err != nil {
			return nil, err
		}
		if !containsInt(ports, p) {
			ports = append(ports, p)
		}
	}
	return ports, nil
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// RESTConfig returns a copy of the admin client configuration.
func (cp *ControlPlane) RESTConfig() *rest.Config { return rest.CopyConfig(cp.rest) }

// Client returns an admin clientset.
func (cp *ControlPlane) Client() kubernetes.Interface { return cp.client }

// LogPath returns the log file of one process (e.g. "kube-apiserver").
func (cp *ControlPlane) LogPath(name string) string {
	return filepath.Join(cp.Dir, "logs", name+".log")
}

// MemoryRSS returns the summed resident memory of the plane's processes.
func (cp *ControlPlane) MemoryRSS() (int64, error) {
	var total int64
	for _, p := range cp.procs {
		n, err := p.rssBytes()
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// PIDs returns the process IDs of the plane's processes by name.
func (cp *ControlPlane) PIDs() map[string]int {
	pids := make(map[string]int, len(cp.procs))
	for _, p := range cp.procs {
		pids[p.name] = p.cmd.Process.Pid
	}
	return pids
}

// Alive returns an error naming the first process that has exited.
func (cp *ControlPlane) Alive() error {
	for _, p := range cp.procs {
		if err := p.exited(); err != nil {
			return err
		}
	}
	return nil
}

// Stop stops all processes (newest first) and removes temp dirs. It is safe
// to call more than once and on a partly started plane.
func (cp *ControlPlane) Stop() {
	cp.stopOnce.Do(func() {
		for i := len(cp.procs) - 1; i >= 0; i-- {
			cp.procs[i].stop(5 * time.Second)
		}
		for _, d := range cp.removable {
			_ = os.RemoveAll(d)
		}
	})
}

// KubeconfigAs writes a copy of the plane's kubeconfig whose only context
// is named name (e.g. the reference platform's ferry-local), points
// $KUBECONFIG at it for the test and returns its path.
func (cp *ControlPlane) KubeconfigAs(t testing.TB, name string) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(cp.Kubeconfig)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	cfg.Contexts = map[string]*clientcmdapi.Context{name: cfg.Contexts[cp.Context]}
	cfg.CurrentContext = name
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, kc); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Setenv("KUBECONFIG", kc)
	return kc
}
