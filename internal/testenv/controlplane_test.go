package testenv_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"ferry.dev/ferry/internal/testenv"
)

func TestControlPlaneKubeconfig(t *testing.T) {
	t.Parallel()
	cp := testenv.ControlPlaneFor(t)
	t.Logf("shared plane started in %s", cp.Started.Round(time.Millisecond))
	if rss, err := cp.MemoryRSS(); err == nil {
		t.Logf("shared plane resident memory: %d MiB", rss>>20)
	}
	// The kubeconfig file alone must be enough, as for kubectl or ferry.
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: cp.Kubeconfig},
		&clientcmd.ConfigOverrides{CurrentContext: cp.Context}).ClientConfig()
	if err != nil {
		t.Fatalf("load kubeconfig: %v", err)
	}
	client := kubernetes.NewForConfigOrDie(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("list nodes through the kubeconfig: %v", err)
	}
	if len(nodes.Items) != len(cp.Nodes) || len(nodes.Items) == 0 {
		t.Fatalf("got %d nodes, want %d", len(nodes.Items), len(cp.Nodes))
	}
	for _, n := range nodes.Items {
		if n.Annotations["kwok.x-k8s.io/node"] != "fake" || !ready(n.Status.Conditions) {
			t.Errorf("node %s: not a Ready kwok node: %v", n.Name, n.Status.Conditions)
		}
		if n.Status.Allocatable.Pods().Value() < 100 {
			t.Errorf("node %s allocatable pods = %v", n.Name, n.Status.Allocatable.Pods())
		}
	}
}

// TestServerVersion guards the version setup.sh stamps into the binaries:
// Helm and other clients parse it, and v0.0.0-master breaks them.
func TestServerVersion(t *testing.T) {
	t.Parallel()
	cp := testenv.ControlPlaneFor(t)
	v, err := cp.Client().Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v.Major != "1" || v.Minor == "" || !strings.HasPrefix(v.GitVersion, "v1."+v.Minor+".") {
		t.Fatalf("server version %+v: want a v1.x.y release (rerun make setup)", v)
	}
}

// TestNodesRenewLeases guards against Nodes that turn unreachable a minute
// into a test run: kwok must renew a Lease per Node, as a kubelet does.
func TestNodesRenewLeases(t *testing.T) {
	t.Parallel()
	cp := testenv.ControlPlaneFor(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, name := range cp.Nodes {
		var lease *coordinationv1.Lease
		for lease == nil || lease.Spec.RenewTime == nil {
			l, err := cp.Client().CoordinationV1().Leases("kube-node-lease").Get(ctx, name, metav1.GetOptions{})
			if err == nil {
				lease = l
				continue
			}
			if ctx.Err() != nil {
				t.Fatalf("node %s has no renewed lease: %v", name, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
		if age := time.Since(lease.Spec.RenewTime.Time); age > 40*time.Second {
			t.Errorf("node %s lease last renewed %s ago", name, age)
		}
	}
}

func ready(conds []corev1.NodeCondition) bool {
	for _, c := range conds {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func TestDeploymentBecomesAvailable(t *testing.T) {
	t.Parallel()
	cp := testenv.ControlPlaneFor(t)
	ns := cp.Namespace(t)
	client := cp.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	replicas := int32(2)
	labels := map[string]string{"app": "web"}
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx:1.27"}}},
			},
		},
	}
	begin := time.Now()
	if _, err := client.AppsV1().Deployments(ns).Create(ctx, dep, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create deployment: %v", err)
	}
	var last *appsv1.Deployment
	for available(last) < 2 {
		if ctx.Err() != nil {
			t.Fatalf("deployment not Available with 2 ready replicas in time; last status: %+v", last.Status)
		}
		time.Sleep(100 * time.Millisecond)
		d, err := client.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
		if err == nil {
			last = d
		}
	}
	t.Logf("2-replica Deployment Available after %s", time.Since(begin).Round(time.Millisecond))

	pods, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		if !strings.HasPrefix(p.Spec.NodeName, "kwok-node-") || p.Status.Phase != corev1.PodRunning {
			t.Errorf("pod %s on %q in phase %s; want Running on a kwok node", p.Name, p.Spec.NodeName, p.Status.Phase)
		}
	}
}

// available returns the ready replicas of an Available Deployment, else 0.
func available(d *appsv1.Deployment) int32 {
	if d == nil || d.Status.ObservedGeneration < d.Generation {
		return 0
	}
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentAvailable && c.Status == corev1.ConditionTrue {
			return d.Status.ReadyReplicas
		}
	}
	return 0
}

func TestNamespaceIsFreshAndRemoved(t *testing.T) {
	t.Parallel()
	cp := testenv.ControlPlaneFor(t)
	var name string
	t.Run("inner", func(t *testing.T) {
		name = cp.Namespace(t)
		other := cp.Namespace(t)
		if name == other || !strings.HasPrefix(name, "testnamespaceisfreshandremoved-inner-") {
			t.Fatalf("namespaces %q and %q: want two distinct names from the test name", name, other)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ns, err := cp.Client().CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err): // already gone
	case err != nil:
		t.Fatalf("get namespace %s: %v", name, err)
	case ns.DeletionTimestamp == nil:
		t.Fatalf("namespace %s not being deleted after its test ended", name)
	}
}

// TestStartAndStop starts a second, private plane and checks that Stop leaves
// no process and no directory behind.
func TestStartAndStop(t *testing.T) {
	testenv.ControlPlaneFor(t) // skip or fail like the others when tools are missing
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cp, err := testenv.StartControlPlane(ctx, testenv.Options{Nodes: 1, ContextName: "private"})
	if err != nil {
		t.Fatal(err)
	}
	pids := cp.PIDs()
	if len(pids) != 5 {
		t.Errorf("plane runs %d processes, want 5 (etcd, apiserver, controller-manager, scheduler, kwok)", len(pids))
	}
	if err := cp.Alive(); err != nil {
		t.Fatal(err)
	}
	cp.Stop()
	cp.Stop() // idempotent
	for name, pid := range pids {
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			t.Errorf("%s (pid %d) still exists after Stop: %v", name, pid, err)
		}
	}
	if _, err := os.Stat(cp.Dir); !os.IsNotExist(err) {
		t.Errorf("plane dir %s still exists after Stop: %v", cp.Dir, err)
	}
}

// TestStartFailureShowsLog runs a kube-apiserver that dies at once and checks
// that the start error names it and carries its log.
func TestStartFailureShowsLog(t *testing.T) {
	testenv.ControlPlaneFor(t)
	real, err := testenv.BinDir()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	for _, tool := range []string{"kube-controller-manager", "kube-scheduler", "kwok", "kwok-stages"} {
		if err := os.Symlink(filepath.Join(real, tool), filepath.Join(bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	script := "#!/bin/sh\necho 'E1125 flag provided but not defined: -- the sky is falling' >&2\nexit 3\n"
	if err := os.WriteFile(filepath.Join(bin, "kube-apiserver"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(testenv.EnvBin, bin)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cp, err := testenv.StartControlPlane(ctx, testenv.Options{Nodes: 1})
	if err == nil {
		cp.Stop()
		t.Fatal("start succeeded with a broken kube-apiserver")
	}
	for _, want := range []string{"start kube-apiserver", "kube-apiserver exited", "the sky is falling"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
