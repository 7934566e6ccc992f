package kube

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"ferry.dev/ferry/internal/render"
	"ferry.dev/ferry/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// connectOptions are the harness control plane's.
func connectOptions(t *testing.T) Options {
	t.Helper()
	cp := testenv.ControlPlaneFor(t)
	return Options{Kubeconfig: cp.Kubeconfig, Context: cp.Context}
}

func connect(t *testing.T) *Client {
	t.Helper()
	c, err := Connect(connectOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

func objects(t *testing.T, ns, cmValue, secretValue string, withService bool) []*unstructured.Unstructured {
	t.Helper()
	y := fmt.Sprintf(`apiVersion: v1
kind: Namespace
metadata: {name: %[1]s}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: %[1]s}
data: {key: %[2]q}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: %[1]s}
stringData: {password: %[3]q}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27.0"}]
`, ns, cmValue, secretValue)
	if withService {
		y += fmt.Sprintf(`---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: %s}
spec:
  selector: {app: web}
  ports: [{port: 80}]
`, ns)
	}
	objs, err := render.ParseManifests([]byte(y), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func TestApplyLifecycle(t *testing.T) {
	t.Parallel()
	c := connect(t)
	ctx := context.Background()
	ns := "ferry-" + strings.ReplaceAll(strings.ToLower(t.Name()), "/", "-")
	t.Cleanup(func() { _ = c.c.Delete(context.Background(), &corev1.Namespace{ObjectMeta: metaName(ns)}) })
	owner := Owner{Env: "dev", Component: ns}
	opts := ApplyOptions{Namespace: ns, Revision: "r1", Prune: true, Wait: true, HealthTimeout: 2 * time.Minute}

	res, err := c.Apply(ctx, owner, objects(t, ns, "v1", "hunter2-one", true), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Counts(); got[ActionCreate] != 5 || len(got) != 1 {
		t.Fatalf("first apply counts %v", got)
	}
	var dep unstructured.Unstructured
	dep.SetAPIVersion("apps/v1")
	dep.SetKind("Deployment")
	if err := c.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, &dep); err != nil {
		t.Fatal(err)
	}
	if avail, _, _ := unstructured.NestedInt64(dep.Object, "status", "availableReplicas"); avail != 2 {
		t.Fatalf("health wait returned with %d available replicas", avail)
	}
	if dep.GetLabels()[OwnerGroup+"/name"] != ns {
		t.Errorf("owner labels missing: %v", dep.GetLabels())
	}

	// Unchanged: no writes at all.
	res, err = c.Apply(ctx, owner, objects(t, ns, "v1", "hunter2-one", true), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed() || res.Writes != 0 {
		t.Fatalf("re-apply changed %v with %d writes", res.Counts(), res.Writes)
	}

	// Diff shows field changes, Secret data masked; nothing is written.
	diff, err := c.Diff(ctx, owner, objects(t, ns, "v2", "hunter2-two", false), ns)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(diff.Changes)
	if strings.Contains(string(js), "hunter2") {
		t.Fatalf("secret value in diff: %s", js)
	}
	want := map[string]string{
		"v1/ConfigMap/" + ns + "/cfg":       ActionConfigure,
		"v1/Secret/" + ns + "/creds":        ActionConfigure,
		"v1/Service/" + ns + "/web":         ActionPrune,
		"apps/v1/Deployment/" + ns + "/web": ActionUnchanged,
	}
	for _, ch := range diff.Changes {
		if w, ok := want[ch.ID]; ok && w != ch.Action {
			t.Errorf("%s: %s, want %s", ch.ID, ch.Action, w)
		}
		if ch.ID == "v1/ConfigMap/"+ns+"/cfg" {
			if len(ch.Fields) != 1 || ch.Fields[0].Path != "/data/key" || ch.Fields[0].New != "v2" {
				t.Errorf("configmap field diff %+v", ch.Fields)
			}
		}
	}
	if diff.Writes != 0 {
		t.Fatalf("diff wrote %d times", diff.Writes)
	}

	// Apply the change: the Service is pruned, the inventory follows.
	opts.Revision = "r2"
	if _, err := c.Apply(ctx, owner, objects(t, ns, "v2", "hunter2-two", false), opts); err != nil {
		t.Fatal(err)
	}
	var svc corev1.Service
	if err := c.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, &svc); !apierrors.IsNotFound(err) {
		t.Fatalf("service not pruned: %v", err)
	}
	inv, err := c.ReadInventory(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Revision != "r2" || len(inv.IDs) != 4 {
		t.Fatalf("inventory %+v", inv)
	}
}

func TestDryRunFailureAppliesNothing(t *testing.T) {
	t.Parallel()
	c := connect(t)
	ctx := context.Background()
	ns := "ferry-dryrun-fail"
	objs := objects(t, ns, "v", "s", false)
	bad := objs[3].DeepCopy()
	bad.SetName("bad")
	_ = unstructured.SetNestedField(bad.Object, "not-a-number", "spec", "replicas")
	bad2 := objs[1].DeepCopy()
	bad2.SetName("Bad_Name")
	objs = append(objs, bad, bad2)
	_, err := c.Apply(ctx, Owner{Env: "dev", Component: "x"}, objs, ApplyOptions{Namespace: ns})
	if !errors.Is(err, ErrDryRun) {
		t.Fatalf("error %v, want ErrDryRun", err)
	}
	for _, want := range []string{"Deployment/" + ns + "/bad", "ConfigMap/" + ns + "/Bad_Name"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not list %s: %v", want, err)
		}
	}
	var nsObj corev1.Namespace
	if err := c.c.Get(ctx, client.ObjectKey{Name: ns}, &nsObj); !apierrors.IsNotFound(err) {
		t.Fatalf("namespace was created although the dry-run failed: %v", err)
	}
}

func TestConnectRefusals(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, user string) string {
		p := filepath.Join(dir, name)
		cfg := `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
contexts: [{name: ctx, context: {cluster: c, user: u}}]
current-context: ctx
users: [{name: u, user: ` + user + `}]
`
		if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	execCfg := write("exec", `{exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/false, interactiveMode: Never}}`)
	if _, err := Connect(Options{Kubeconfig: execCfg, Context: "ctx"}); !errors.Is(err, ErrExecPluginRefused) {
		t.Fatalf("exec plugin: %v", err)
	}
	tokenCfg := write("token", `{token: sup3r-secret-token}`)
	if _, err := Connect(Options{Kubeconfig: tokenCfg, Context: "nope"}); err == nil {
		t.Fatal("unknown context accepted")
	}
	c, err := Connect(Options{Kubeconfig: tokenCfg, Context: "ctx"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = c.Ping(ctx)
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("ping closed port: %v", err)
	}
	if strings.Contains(err.Error(), "sup3r-secret-token") {
		t.Fatalf("token in error: %v", err)
	}
}

func TestParseID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want ID
		ok   bool
	}{
		{"apps/v1/Deployment/ns/web", ID{"apps", "v1", "Deployment", "ns", "web"}, true},
		{"v1/Namespace//web", ID{"", "v1", "Namespace", "", "web"}, true},
		{"v1/ConfigMap/ns", ID{}, false},
		{"/v1/ConfigMap/ns/x", ID{}, false},
		{"v1/ConfigMap/ns/", ID{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseID(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Fatalf("ParseID(%q) = %v, %v", tc.in, got, err)
			}
			if tc.ok && got.String() != tc.in {
				t.Fatalf("round trip %q -> %q", tc.in, got.String())
			}
		})
	}
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"apps/v1/Deployment/ns/web", "v1/Namespace//x", "", "////", "a/b/c/d/e/f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseID(s)
		if err != nil {
			return
		}
		again, err := ParseID(id.String())
		if err != nil || again != id {
			t.Fatalf("round trip of %q: %v %v", s, again, err)
		}
	})
}

func FuzzDecodeState(f *testing.F) {
	f.Add([]byte(nil))
	f.Add([]byte("not gzip"))
	enc := encodeState(map[ID]ObjectState{{Version: "v1", Kind: "ConfigMap", Namespace: "a", Name: "b"}: {Hash: "h", ResourceVersion: "1"}})
	raw, _ := base64.StdEncoding.DecodeString(enc)
	f.Add(raw)
	f.Fuzz(func(t *testing.T, data []byte) {
		st := decodeState(data)
		for id, s := range st {
			if id.Name == "" || s.Hash == "" {
				t.Fatalf("decoded an empty entry: %v %v", id, s)
			}
		}
	})
}

func TestStateRoundTrip(t *testing.T) {
	t.Parallel()
	in := map[ID]ObjectState{
		{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "n", Name: "d"}: {Hash: "abc", ResourceVersion: "12"},
		{Version: "v1", Kind: "Namespace", Name: "n"}:                                 {Hash: "def", ResourceVersion: "3"},
		{Version: "v1", Kind: "Secret", Namespace: "n", Name: "s"}:                    {ResourceVersion: "4"},
	}
	raw, err := base64.StdEncoding.DecodeString(encodeState(in))
	if err != nil {
		t.Fatal(err)
	}
	out := decodeState(raw)
	if len(out) != 2 || out[ID{Version: "v1", Kind: "Namespace", Name: "n"}].Hash != "def" {
		t.Fatalf("round trip: %v", out)
	}
	if _, ok := out[ID{Version: "v1", Kind: "Secret", Namespace: "n", Name: "s"}]; ok {
		t.Fatal("an entry without hash was stored")
	}
}

func TestDryRunRejectsUnknownFields(t *testing.T) {
	t.Parallel()
	c := connect(t)
	objs, err := render.ParseManifests([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: typo, namespace: default}\ndatta: {k: v}\n"), "typo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Apply(context.Background(), Owner{Env: "dev", Component: "typo"}, objs, ApplyOptions{})
	if !errors.Is(err, ErrDryRun) || !strings.Contains(err.Error(), "datta") {
		t.Fatalf("unknown field accepted: %v", err)
	}
}
