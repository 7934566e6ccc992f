package kube

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"ferry.dev/ferry/internal/render"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestTrustVerifiedDryRun: a dry run with TrustVerified asks the server
// only about objects written since ferry's verified apply; one without asks
// about every object; both find the same drift.
func TestTrustVerifiedDryRun(t *testing.T) {
	t.Parallel()
	var dryRuns atomic.Int64
	opts := connectOptions(t)
	opts.WrapTransport = func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.URL.Query().Get("dryRun") == "All" {
				dryRuns.Add(1)
			}
			return next.RoundTrip(r)
		})
	}
	c, err := Connect(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ns := "ferry-trust-verified"
	t.Cleanup(func() { _ = c.c.Delete(context.Background(), &corev1.Namespace{ObjectMeta: metaName(ns)}) })
	var y strings.Builder
	fmt.Fprintf(&y, "apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n", ns)
	for i := range 20 {
		fmt.Fprintf(&y, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-%d, namespace: %s}\ndata: {key: \"%d\"}\n", i, ns, i)
	}
	objs, err := render.ParseManifests([]byte(y.String()), "trust.yaml")
	if err != nil {
		t.Fatal(err)
	}
	owner := Owner{Env: "dev", Component: ns}
	if _, err := c.Apply(ctx, owner, objs, ApplyOptions{Namespace: ns, Revision: "r1", Prune: true}); err != nil {
		t.Fatal(err)
	}
	trusted := ApplyOptions{Namespace: ns, DryRun: true, Prune: true, Fields: true, TrustVerified: true}
	check := func(what string, o ApplyOptions, wantDryRuns int64, want map[string]string) {
		t.Helper()
		before := dryRuns.Load()
		res, err := c.Apply(ctx, owner, objs, o)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got := dryRuns.Load() - before; got != wantDryRuns {
			t.Errorf("%s: %d dry-runs, want %d", what, got, wantDryRuns)
		}
		for _, ch := range res.Changes {
			action := want[ch.ID]
			if action == "" {
				action = ActionUnchanged
			}
			if ch.Action != action {
				t.Errorf("%s: %s is %s, want %s", what, ch.ID, ch.Action, action)
			}
		}
		if res.Writes != 0 {
			t.Errorf("%s: a dry run wrote %d times", what, res.Writes)
		}
	}
	check("quiet, trusted", trusted, 0, nil)
	check("quiet, asking about every object", ApplyOptions{Namespace: ns, DryRun: true, Prune: true, Fields: true}, 21, nil)

	// A hand edit and a hand delete: only those two are asked about, and
	// both show, trusted or not.
	var cm corev1.ConfigMap
	if err := c.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "cm-3"}, &cm); err != nil {
		t.Fatal(err)
	}
	cm.Data["key"] = "edited by hand"
	if err := c.c.Update(ctx, &cm); err != nil {
		t.Fatal(err)
	}
	if err := c.c.Delete(ctx, &corev1.ConfigMap{ObjectMeta: metaNS(ns, "cm-7")}); err != nil {
		t.Fatal(err)
	}
	drift := map[string]string{"v1/ConfigMap/" + ns + "/cm-3": ActionConfigure, "v1/ConfigMap/" + ns + "/cm-7": ActionCreate}
	check("edited, trusted", trusted, 2, drift)
	check("edited, asking about every object", ApplyOptions{Namespace: ns, DryRun: true, Prune: true, Fields: true}, 21, drift)
}
