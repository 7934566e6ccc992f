package scaffold

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

var envs = []string{"dev", "staging", "production"}

// wantKinds are the objects each app renders, as "Kind/name".
var wantKinds = map[string][]string{
	"backstage": {"ConfigMap/app-config", "Deployment/backstage", "Namespace/%s-backstage",
		"NetworkPolicy/backstage", "NetworkPolicy/default-deny", "Service/backstage", "ServiceAccount/backstage"},
	"sample-service": {"ConfigMap/sample-service", "Deployment/sample-service", "Namespace/%s-sample-service",
		"NetworkPolicy/default-deny", "NetworkPolicy/sample-service", "Service/sample-service", "ServiceAccount/sample-service"},
	"monitoring": {"ConfigMap/grafana-config", "ConfigMap/grafana-dashboards-<hash>", "ConfigMap/prometheus-config",
		"ConfigMap/prometheus-rules-<hash>", "Deployment/grafana", "Deployment/prometheus",
		"Namespace/%s-monitoring", "NetworkPolicy/default-deny", "NetworkPolicy/grafana", "NetworkPolicy/prometheus",
		"Service/grafana", "Service/prometheus", "ServiceAccount/grafana", "ServiceAccount/prometheus"},
}

// TestOverlaysBuild builds every app overlay of the written platform with
// kustomize (krusty, the library behind kubectl kustomize) and checks the
// objects: the expected set, each in its environment's own namespace,
// labelled, and every workload hardened.
func TestOverlaysBuild(t *testing.T) {
	t.Parallel()
	dir := written(t)
	for app, kinds := range wantKinds {
		for _, env := range envs {
			t.Run(app+"/"+env, func(t *testing.T) {
				t.Parallel()
				objs := build(t, filepath.Join(dir, "apps", app, "overlays", env))
				ns := env + "-" + app
				var got []string
				for _, o := range objs {
					got = append(got, o.GetKind()+"/"+hashless(o.GetName()))
					checkPlacement(t, o, ns, env)
					if o.GetKind() == "Deployment" {
						checkWorkload(t, o)
					}
					if o.GetKind() == "ServiceAccount" {
						if v, _ := o.Pipe(yaml.Lookup("automountServiceAccountToken")); v == nil || v.YNode().Value != "false" {
							t.Errorf("ServiceAccount %s mounts its token", o.GetName())
						}
					}
				}
				slices.Sort(got)
				var want []string
				for _, k := range kinds {
					want = append(want, strings.ReplaceAll(k, "%s", env))
				}
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("objects:\n got %v\nwant %v", got, want)
				}
			})
		}
	}
}

// generatedHash is the content-hash suffix kustomize's configMapGenerator
// gives a name (it changes with every edit of the files it holds).
var generatedHash = regexp.MustCompile(`^(grafana-dashboards|prometheus-rules)-[a-z0-9]{10}$`)

func hashless(name string) string {
	if m := generatedHash.FindStringSubmatch(name); m != nil {
		return m[1] + "-<hash>"
	}
	return name
}

func TestOverlayDifferences(t *testing.T) {
	t.Parallel()
	dir := written(t)
	tests := []struct {
		app, env, kind, name, path, want string
	}{
		{"backstage", "dev", "Deployment", "backstage", "spec.replicas", "1"},
		{"backstage", "production", "Deployment", "backstage", "spec.replicas", "2"},
		{"sample-service", "staging", "Deployment", "sample-service", "spec.replicas", "2"},
		{"sample-service", "production", "Deployment", "sample-service", "spec.replicas", "3"},
		{"sample-service", "dev", "ConfigMap", "sample-service", "data.LOG_LEVEL", "debug"},
		{"sample-service", "production", "ConfigMap", "sample-service", "data.LOG_LEVEL", "info"},
		{"monitoring", "production", "Deployment", "prometheus", "spec.template.spec.containers.[name=prometheus].args.2", "--storage.tsdb.retention.time=30d"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%s/%s", tc.app, tc.env, tc.path), func(t *testing.T) {
			t.Parallel()
			objs := build(t, filepath.Join(dir, "apps", tc.app, "overlays", tc.env))
			o := find(t, objs, tc.kind, tc.name)
			if got := field(o, strings.Split(tc.path, ".")...); got != tc.want {
				t.Errorf("%s = %q, want %q", tc.path, got, tc.want)
			}
		})
	}
	t.Run("prometheus scrapes its environment", func(t *testing.T) {
		t.Parallel()
		for _, env := range envs {
			objs := build(t, filepath.Join(dir, "apps", "monitoring", "overlays", env))
			cfg := field(find(t, objs, "ConfigMap", "prometheus-config"), "data", "prometheus.yml")
			if want := "sample-service." + env + "-sample-service.svc:9797"; !strings.Contains(cfg, want) {
				t.Errorf("%s prometheus.yml does not scrape %s:\n%s", env, want, cfg)
			}
		}
	})
}

func build(t *testing.T, path string) []*yaml.RNode {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	res, err := k.Run(filesys.MakeFsOnDisk(), path)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", path, err)
	}
	return res.ToRNodeSlice()
}

func find(t *testing.T, objs []*yaml.RNode, kind, name string) *yaml.RNode {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name {
			return o
		}
	}
	t.Fatalf("no %s/%s rendered", kind, name)
	return nil
}

func field(o *yaml.RNode, path ...string) string {
	v, err := o.Pipe(yaml.Lookup(path...))
	if err != nil || v == nil {
		return ""
	}
	return strings.TrimSpace(v.YNode().Value)
}

func checkPlacement(t *testing.T, o *yaml.RNode, ns, env string) {
	t.Helper()
	id := o.GetKind() + "/" + o.GetName()
	if o.GetKind() == "Namespace" {
		if o.GetName() != ns {
			t.Errorf("%s: want namespace named %s", id, ns)
		}
		if o.GetLabels()["pod-security.kubernetes.io/enforce"] != "restricted" {
			t.Errorf("%s does not enforce restricted Pod Security", id)
		}
	} else if o.GetNamespace() != ns {
		t.Errorf("%s in namespace %q, want %q", id, o.GetNamespace(), ns)
	}
	labels := o.GetLabels()
	if labels["team"] == "" || labels["environment"] != env {
		t.Errorf("%s labels %v, want team and environment=%s", id, labels, env)
	}
}

var secretish = regexp.MustCompile(`(?i)pass|secret|token|key|credential`)

// checkWorkload checks a Deployment against the platform's hardening rules.
func checkWorkload(t *testing.T, o *yaml.RNode) {
	t.Helper()
	id := "Deployment/" + o.GetName()
	pod := "spec.template.spec."
	want := map[string]string{
		pod + "securityContext.runAsNonRoot":        "true",
		pod + "securityContext.seccompProfile.type": "RuntimeDefault",
		pod + "automountServiceAccountToken":        "false",
		"spec.template.metadata.labels.team":        "platform-team",
		"spec.template.metadata.labels.environment": o.GetLabels()["environment"],
	}
	for p, w := range want {
		if got := field(o, strings.Split(p, ".")...); got != w {
			t.Errorf("%s: %s = %q, want %q", id, p, got, w)
		}
	}
	containers, err := o.Pipe(yaml.Lookup("spec", "template", "spec", "containers"))
	if err != nil || containers == nil {
		t.Fatalf("%s has no containers", id)
	}
	elems, _ := containers.Elements()
	for _, c := range elems {
		checkContainer(t, id, c)
	}
}

var pinned = regexp.MustCompile(`^[a-z0-9.-]+(/[a-z0-9._-]+)+:[0-9A-Za-z][0-9A-Za-z._-]*$`)

func checkContainer(t *testing.T, id string, c *yaml.RNode) {
	t.Helper()
	name := field(c, "name")
	if img := field(c, "image"); !pinned.MatchString(img) || strings.HasSuffix(img, ":latest") {
		t.Errorf("%s container %s: image %q is not pinned to a version tag", id, name, img)
	}
	for p, w := range map[string]string{
		"securityContext.runAsNonRoot":             "true",
		"securityContext.readOnlyRootFilesystem":   "true",
		"securityContext.allowPrivilegeEscalation": "false",
		"securityContext.capabilities.drop.0":      "ALL",
		"securityContext.seccompProfile.type":      "RuntimeDefault",
	} {
		if got := field(c, strings.Split(p, ".")...); got != w {
			t.Errorf("%s container %s: %s = %q, want %q", id, name, p, got, w)
		}
	}
	for _, p := range []string{"resources.requests.cpu", "resources.requests.memory", "resources.limits.cpu",
		"resources.limits.memory", "livenessProbe", "readinessProbe"} {
		if v, _ := c.Pipe(yaml.Lookup(strings.Split(p, ".")...)); v == nil {
			t.Errorf("%s container %s: no %s", id, name, p)
		}
	}
	env, _ := c.Pipe(yaml.Lookup("env"))
	if env == nil {
		return
	}
	vars, _ := env.Elements()
	for _, v := range vars {
		if n := field(v, "name"); secretish.MatchString(n) && field(v, "value") != "" {
			t.Errorf("%s container %s: env %s has a literal value; secrets come from files or secretKeyRef", id, name, n)
		}
	}
}
