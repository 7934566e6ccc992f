package scaffold

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"ferry.dev/ferry/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestOverlaysApply server-side applies the dev and staging overlays of
// every app to one real kube-apiserver (as the demo does on its local plane)
// and waits for every Deployment to become Available. The namespaces enforce
// the restricted Pod Security Standard, so a pod spec that breaks it is
// rejected by admission and its Deployment never becomes Available.
func TestOverlaysApply(t *testing.T) {
	cp := testenv.ControlPlaneFor(t)
	dir := written(t)
	cfg := cp.RESTConfig()
	cfg.WarningHandler = rest.NoWarnings{} // the probe below warns on purpose
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var deployments []types.NamespacedName
	for _, env := range []string{"dev", "staging"} {
		for app := range wantKinds {
			objs := build(t, filepath.Join(dir, "apps", app, "overlays", env))
			// Namespaces first, as ferry's staged apply does.
			for _, pass := range []bool{true, false} {
				for _, o := range objs {
					if (o.GetKind() == "Namespace") != pass {
						continue
					}
					if err := apply(ctx, dyn, mapper, o); err != nil {
						t.Fatalf("apply %s/%s %s/%s: %v", app, env, o.GetKind(), o.GetName(), err)
					}
					if o.GetKind() == "Deployment" {
						deployments = append(deployments, types.NamespacedName{Namespace: o.GetNamespace(), Name: o.GetName()})
					}
				}
			}
		}
	}
	if len(deployments) != 8 {
		t.Fatalf("applied %d Deployments, want 8 (4 per environment)", len(deployments))
	}
	for _, d := range deployments {
		if err := waitAvailable(ctx, cp, d); err != nil {
			t.Errorf("Deployment %s: %v", d, err)
		}
	}
	// Negative control: the same Deployment made to allow privilege
	// escalation is refused by admission in the platform's namespace, so
	// the Available checks above mean the hardening is really enforced.
	probe, err := escalatingProbe(find(t, build(t, filepath.Join(dir, "apps", "sample-service", "overlays", "dev")), "Deployment", "sample-service"))
	if err != nil {
		t.Fatal(err)
	}
	if err := apply(ctx, dyn, mapper, probe); err != nil {
		t.Fatalf("apply probe: %v", err)
	}
	if err := waitRejected(ctx, cp, "dev-sample-service"); err != nil {
		t.Errorf("a Deployment allowing privilege escalation was not refused: %v", err)
	}
}

// escalatingProbe copies a Deployment as "pss-probe" with its own
// selector and privilege escalation allowed.
func escalatingProbe(d *yaml.RNode) (*yaml.RNode, error) {
	p := d.Copy()
	err := p.PipeE(yaml.Lookup("metadata"), yaml.SetField("name", yaml.NewStringRNode("pss-probe")))
	if err == nil {
		err = p.PipeE(yaml.Lookup("spec", "selector"), yaml.SetField("matchLabels", yaml.MustParse("app: pss-probe")))
	}
	if err == nil {
		err = p.PipeE(yaml.Lookup("spec", "template", "metadata"), yaml.SetField("labels", yaml.MustParse("app: pss-probe")))
	}
	if err == nil {
		err = p.PipeE(yaml.Lookup("spec", "template", "spec", "containers", "[name=podinfo]", "securityContext"),
			yaml.SetField("allowPrivilegeEscalation", yaml.NewScalarRNode("true")))
	}
	return p, err
}

// waitRejected waits for a FailedCreate event naming PodSecurity in ns.
func waitRejected(ctx context.Context, cp *testenv.ControlPlane, ns string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return wait.PollUntilContextCancel(ctx, 500*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		events, err := cp.Client().CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "reason=FailedCreate"})
		if err != nil {
			return false, err
		}
		for _, e := range events.Items {
			if e.InvolvedObject.Kind == "ReplicaSet" && strings.Contains(e.Message, "PodSecurity") && strings.Contains(e.Message, "allowPrivilegeEscalation") {
				return true, nil
			}
		}
		return false, nil
	})
}

func apply(ctx context.Context, dyn dynamic.Interface, mapper *restmapper.DeferredDiscoveryRESTMapper, o *yaml.RNode) error {
	gvk := schema.FromAPIVersionAndKind(o.GetApiVersion(), o.GetKind())
	m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return err
	}
	data, err := o.MarshalJSON()
	if err != nil {
		return err
	}
	var ri dynamic.ResourceInterface = dyn.Resource(m.Resource)
	if ns := o.GetNamespace(); ns != "" {
		ri = dyn.Resource(m.Resource).Namespace(ns)
	}
	force := true
	_, err = ri.Patch(ctx, o.GetName(), types.ApplyPatchType, data,
		metav1.PatchOptions{FieldManager: "ferry-scaffold-test", Force: &force})
	return err
}

// waitAvailable waits for the Deployment's Available condition and reports
// the pod admission error when there is one.
func waitAvailable(ctx context.Context, cp *testenv.ControlPlane, d types.NamespacedName) error {
	client := cp.Client()
	var last *appsv1.Deployment
	err := wait.PollUntilContextCancel(ctx, 500*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		dep, err := client.AppsV1().Deployments(d.Namespace).Get(ctx, d.Name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		last = dep
		for _, c := range dep.Status.Conditions {
			if c.Type == appsv1.DeploymentAvailable && c.Status == corev1.ConditionTrue {
				return dep.Status.AvailableReplicas == *dep.Spec.Replicas, nil
			}
		}
		return false, nil
	})
	if err == nil {
		return nil
	}
	events, _ := client.CoreV1().Events(d.Namespace).List(context.Background(), metav1.ListOptions{})
	var msgs []string
	for _, e := range events.Items {
		if e.Type == corev1.EventTypeWarning {
			msgs = append(msgs, e.Reason+": "+e.Message)
		}
	}
	status := "never read"
	if last != nil {
		status = fmt.Sprintf("%+v", last.Status)
	}
	return fmt.Errorf("not Available (status %s): %w; warnings: %v", status, err, msgs)
}
