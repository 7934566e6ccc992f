package fluxbench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/yaml"

	"ferry.dev/ferry/internal/testenv"
)

// fluxNamespace holds the Flux objects (GitRepository, Kustomization,
// Receiver), as flux-system does in a cluster.
const fluxNamespace = "flux-system"

// fluxAPIQPS gives Flux's controllers the client rate limit ferry uses
// (2,000 requests/s, burst 4,000) instead of their default 50/300, so the
// benchmark compares the engines, not the throttles.
var fluxAPIQPS = []string{"--kube-api-qps=2000", "--kube-api-burst=4000"}

// fluxTool is Flux's controllers as plain processes against the harness
// plane: source-controller, kustomize-controller, and
// notification-controller for webhooks (a Receiver) and events.
type fluxTool struct {
	source, kustomize, notification *proc
	receiver                        string // http://ADDR of the webhook receiver
	dyn                             *resources
}

// controllers are the processes that do the Kubernetes half of ferry's
// job: fetch the repository and apply the overlay. The notification
// controller only takes webhooks; it is reported apart.
func (f *fluxTool) controllers() procs { return procs{f.source, f.kustomize} }

func fluxBin(b testing.TB, name string) string {
	b.Helper()
	dir, err := testenv.BinDir()
	if err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(dir, "flux", name)
	if _, err := os.Stat(p); err != nil {
		b.Fatalf("%s is not built: run hack/bench/flux/build.sh (make bench-agent runs it)", p)
	}
	return p
}

func startFlux(b testing.TB, kc string, cfg *rest.Config) *fluxTool {
	b.Helper()
	f := &fluxTool{dyn: newResources(cfg)}
	crds, _ := filepath.Glob(filepath.Join(filepath.Dir(fluxBin(b, "source-controller")), "crds", "*.yaml"))
	if len(crds) == 0 {
		b.Fatal("no Flux CRDs in bin/flux/crds: run hack/bench/flux/build.sh")
	}
	for _, path := range crds {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		f.dyn.apply(b, string(data))
	}
	f.dyn.waitCRDs(b, crds)
	f.dyn.apply(b, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: "+fluxNamespace+"\n")

	env := []string{"KUBECONFIG=" + kc, "RUNTIME_NAMESPACE=" + fluxNamespace}
	events := loopback(b)
	start := func(name string, args ...string) *proc {
		metrics, health := loopback(b), loopback(b)
		args = append(args, "--metrics-addr="+metrics, "--health-addr="+health, "--enable-leader-election=false",
			"--log-level=info", "--watch-all-namespaces=true")
		args = append(args, fluxAPIQPS...)
		p := startProc(b, name, fluxBin(b, name), env, args...)
		p.metrics = "http://" + metrics + "/metrics"
		waitEvery(b, 2*time.Minute, 100*time.Millisecond, name+" ready", func() bool {
			if p.cmd.ProcessState != nil {
				b.Fatalf("%s exited:\n%s", name, p.logTail())
			}
			resp, err := http.Get("http://" + health + "/readyz")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		})
		return p
	}
	receiver := loopback(b)
	f.receiver = "http://" + receiver
	f.notification = start("notification-controller", "--events-addr="+events, "--receiverAddr="+receiver)
	storage := loopback(b) // source-controller serves artifacts there, to kustomize-controller
	f.source = start("source-controller", "--events-addr=http://"+events, "--storage-path="+b.TempDir(),
		"--storage-addr="+storage, "--storage-adv-addr="+storage)
	f.kustomize = start("kustomize-controller", "--events-addr=http://"+events)
	return f
}

// sync points Flux at the scenario's repository: a GitRepository polled
// every sourceInterval, a Kustomization of ./config into flux-ENV
// reconciled every ksInterval, and with webhook a github Receiver for the
// GitRepository. It returns the Receiver's URL ("" without webhook).
func (f *fluxTool) sync(b testing.TB, env string, r *repo, sourceInterval, ksInterval string, secret []byte, webhook bool) string {
	b.Helper()
	f.dyn.apply(b, fmt.Sprintf(`apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: %s
  namespace: %s
spec:
  interval: %s
  url: %s
  ref:
    branch: develop
`, env, fluxNamespace, sourceInterval, r.url))
	f.dyn.apply(b, fmt.Sprintf(`apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: %s
  namespace: %s
spec:
  interval: %s
  path: ./config
  prune: true
  targetNamespace: %s
  sourceRef:
    kind: GitRepository
    name: %s
`, env, fluxNamespace, ksInterval, fluxNS(env), env))
	if !webhook {
		return ""
	}
	f.dyn.apply(b, fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s-webhook\n  namespace: %s\nstringData:\n  token: %q\n",
		env, fluxNamespace, string(secret)))
	f.dyn.apply(b, fmt.Sprintf(`apiVersion: notification.toolkit.fluxcd.io/v1
kind: Receiver
metadata:
  name: %s
  namespace: %s
spec:
  type: github
  events: ["push"]
  secretRef:
    name: %s-webhook
  resources:
    - apiVersion: source.toolkit.fluxcd.io/v1
      kind: GitRepository
      name: %s
`, env, fluxNamespace, env, env))
	var path string
	waitEvery(b, 2*time.Minute, 100*time.Millisecond, "Receiver "+env+" ready", func() bool {
		u := f.dyn.get(b, receiverGVR, fluxNamespace, env)
		path, _, _ = unstructured.NestedString(u.Object, "status", "webhookPath")
		return path != "" && ready(u)
	})
	return f.receiver + path
}

// applied waits until the Kustomization reports rev applied and Ready.
func (f *fluxTool) applied(b testing.TB, env, rev string, within time.Duration) {
	b.Helper()
	waitEvery(b, within, 100*time.Millisecond, "Flux Kustomization "+env+" at "+rev[:8], func() bool {
		u := f.dyn.get(b, kustomizationGVR, fluxNamespace, env)
		got, _, _ := unstructured.NestedString(u.Object, "status", "lastAppliedRevision")
		return strings.HasSuffix(got, rev) && ready(u)
	})
}

// setInterval changes the GitRepository's poll interval.
func (f *fluxTool) setInterval(b testing.TB, env, interval string) {
	f.dyn.patch(b, gitRepositoryGVR, env, fmt.Sprintf(`{"spec":{"interval":%q}}`, interval))
}

// remove suspends the scenario's Flux objects, so deleting them leaves
// the applied objects in place (no garbage collection), and deletes them.
func (f *fluxTool) remove(b testing.TB, env string) {
	b.Helper()
	for _, gvr := range []schema.GroupVersionResource{kustomizationGVR, gitRepositoryGVR} {
		f.dyn.patch(b, gvr, env, `{"spec":{"suspend":true}}`)
	}
	for _, gvr := range []schema.GroupVersionResource{receiverGVR, kustomizationGVR, gitRepositoryGVR} {
		_ = f.dyn.client.Resource(gvr).Namespace(fluxNamespace).Delete(context.Background(), env, metav1.DeleteOptions{})
	}
}

// reconciles are kustomize-controller's finished Kustomization reconciles
// and the seconds they took (controller-runtime's own metrics).
func (f *fluxTool) reconciles(b testing.TB) (n, seconds float64) {
	sel, m := map[string]string{"controller": "kustomization"}, f.kustomize.scrape(b)
	return m.sum(b, "controller_runtime_reconcile_time_seconds_count", sel),
		m.sum(b, "controller_runtime_reconcile_time_seconds_sum", sel)
}

var (
	gitRepositoryGVR = schema.GroupVersionResource{Group: "source.toolkit.fluxcd.io", Version: "v1", Resource: "gitrepositories"}
	kustomizationGVR = schema.GroupVersionResource{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Resource: "kustomizations"}
	receiverGVR      = schema.GroupVersionResource{Group: "notification.toolkit.fluxcd.io", Version: "v1", Resource: "receivers"}
	crdGVR           = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
)

func ready(u *unstructured.Unstructured) bool {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == "Ready" && m["status"] == "True" {
			return true
		}
	}
	return false
}

// resources applies and reads objects through the dynamic client.
type resources struct {
	client dynamic.Interface
	mapper *restmapper.DeferredDiscoveryRESTMapper
}

func newResources(cfg *rest.Config) *resources {
	kube := kubernetes.NewForConfigOrDie(cfg)
	return &resources{client: dynamic.NewForConfigOrDie(cfg),
		mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(kube.Discovery()))}
}

// apply server-side applies one YAML document.
func (r *resources) apply(b testing.TB, doc string) {
	b.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
		b.Fatalf("decode %q: %v", doc, err)
	}
	gvk := u.GroupVersionKind()
	m, err := r.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		r.mapper.Reset()
		if m, err = r.mapper.RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
			b.Fatalf("map %s: %v", gvk, err)
		}
	}
	data, _ := u.MarshalJSON()
	force := true
	var ri dynamic.ResourceInterface = r.client.Resource(m.Resource)
	if u.GetNamespace() != "" {
		ri = r.client.Resource(m.Resource).Namespace(u.GetNamespace())
	}
	if _, err := ri.Patch(context.Background(), u.GetName(), types.ApplyPatchType, data,
		metav1.PatchOptions{FieldManager: "flux-bench", Force: &force}); err != nil {
		b.Fatalf("apply %s %s: %v", gvk.Kind, u.GetName(), err)
	}
}

func (r *resources) get(b testing.TB, gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	b.Helper()
	u, err := r.client.Resource(gvr).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		b.Fatalf("get %s %s/%s: %v", gvr.Resource, ns, name, err)
	}
	return u
}

func (r *resources) patch(b testing.TB, gvr schema.GroupVersionResource, name, merge string) {
	b.Helper()
	if _, err := r.client.Resource(gvr).Namespace(fluxNamespace).Patch(context.Background(), name,
		types.MergePatchType, []byte(merge), metav1.PatchOptions{}); err != nil {
		b.Fatalf("patch %s %s: %v", gvr.Resource, name, err)
	}
}

// waitCRDs waits until every CRD in the files is Established and the
// mapper knows its kinds.
func (r *resources) waitCRDs(b testing.TB, files []string) {
	b.Helper()
	for _, path := range files {
		data, _ := os.ReadFile(path)
		var crd struct {
			Metadata struct{ Name string } `json:"metadata"`
		}
		if err := yaml.Unmarshal(data, &crd); err != nil {
			b.Fatal(err)
		}
		waitEvery(b, time.Minute, 100*time.Millisecond, "CRD "+crd.Metadata.Name, func() bool {
			u, err := r.client.Resource(crdGVR).Get(context.Background(), crd.Metadata.Name, metav1.GetOptions{})
			if err != nil {
				return false
			}
			conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
			for _, c := range conds {
				if m, _ := c.(map[string]any); m["type"] == "Established" && m["status"] == "True" {
					return true
				}
			}
			return false
		})
	}
	r.mapper.Reset()
}
