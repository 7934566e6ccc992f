package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"ferry.dev/ferry/internal/cli"
	"ferry.dev/ferry/internal/kube"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// TestAPIMatchesCLI runs the path from commit to production twice on two
// identical platforms (same content, same Git dates and identity, same
// cluster state): once with the ferry verbs in the repository, once with
// the same verbs through --server, that is through the API. The outputs
// must be the same (-o json, and text for status and history), and so
// must what both leave behind: every branch and tag of the remote at the
// same commit (so the same trees, messages and Ferry-* trailers) and the
// same promotions, deployments, check runs and events in the store.
func TestAPIMatchesCLI(t *testing.T) {
	const date = "2026-11-02T10:00:00Z"
	cp := testenv.ControlPlaneFor(t)
	ns := "api-same-" + strings.ToLower(t.Name()[len(t.Name())-3:])
	if _, err := cp.Client().CoreV1().Namespaces().Create(context.Background(),
		&corev1Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Client().CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	steps := [][]string{
		{"sync", "dev"},
		{"promote", "staging", "--dry-run"},
		{"promote", "staging"},
		{"sync", "staging"},
		{"approve", "main", "--comment", "CAB-1"},
		{"promote", "main"},
		{"release", "--dry-run"},
		{"release"},
		{"sync", "production"},
		{"rollback", "production", "--to", "v0.1.0"},
		{"release"}, // nothing to release: exit 1, same error
		{"sync", "nowhere"},
		{"status"},
		{"history", "production"},
	}
	text := [][]string{{"status"}, {"history", "production"}, {"history"}}
	type run struct {
		outs   []string
		refs   string
		rows   string
		remote string
	}
	do := func(viaServer bool) run {
		f := newAPIFixture(t, fixtureOptions{kube: true, name: "api-same", namespace: ns, gitDate: date})
		// ferry's own commits (after GitIsolate, which clears GIT_* dates).
		for k, v := range map[string]string{"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "FERRY_ACTOR": "alice"} {
			t.Setenv(k, v)
		}
		f.commitOn("develop", "apps/web/web.yaml", strings.ReplaceAll(strings.ReplaceAll(webYAML, "NAMESPACE", ns), "hello", "bonjour"), "feat: greet in French")
		where := []string{"--repo", f.work}
		if viaServer {
			t.Setenv("FERRY_TOKEN", f.createToken("alice", store.RoleAdmin, nil))
			where = []string{"--server", f.srv.URL}
		}
		var r run
		exec := func(args []string) string {
			var out, errb bytes.Buffer
			code := cli.Run(context.Background(), append(append([]string{}, args...), where...), cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
			return strings.Join(args, " ") + " → exit " + itoa(int64(code)) + "\n" + normalize(out.String()) + errorLines(errb.String())
		}
		for _, s := range steps {
			r.outs = append(r.outs, exec(append(s, "-o", "json")))
		}
		for _, s := range text {
			r.outs = append(r.outs, exec(s))
		}
		r.refs = f.refs()
		r.rows = storeRows(t, f.st)
		// Leave the cluster as it was found for the next run.
		kc := cp.Client()
		_ = kc.CoreV1().ConfigMaps(ns).Delete(context.Background(), "web", metav1.DeleteOptions{})
		cms, err := kc.CoreV1().ConfigMaps(kube.InventoryNamespace).List(context.Background(), metav1.ListOptions{})
		fatalIf(t, err)
		for _, cm := range cms.Items {
			if strings.HasPrefix(cm.Name, "inventory-api-same.") {
				fatalIf(t, kc.CoreV1().ConfigMaps(kube.InventoryNamespace).Delete(context.Background(), cm.Name, metav1.DeleteOptions{}))
			}
		}
		return r
	}
	local, remote := do(false), do(true)
	for i := range local.outs {
		if local.outs[i] != remote.outs[i] {
			t.Errorf("the verb's output differs through --server:\n--- local\n%s\n--- --server\n%s", local.outs[i], remote.outs[i])
		}
	}
	if local.refs != remote.refs {
		t.Errorf("Git differs:\n--- local\n%s\n--- through the API\n%s", local.refs, remote.refs)
	}
	if local.rows != remote.rows {
		t.Errorf("the store differs:\n--- local\n%s\n--- through the API\n%s", local.rows, remote.rows)
	}
	if !strings.Contains(local.outs[9], `"tag": "v0.1.0"`) || !strings.Contains(local.rows, `"kind":"rollback"`) {
		t.Fatalf("the path did not reach the rollback:\n%s", strings.Join(local.outs, "\n"))
	}
}

var (
	timeRe     = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)
	minuteRe   = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?`)
	durationRe = regexp.MustCompile(`"duration": ?\d+`)
)

// normalize blanks what differs between two runs by the clock alone.
func normalize(s string) string {
	s = timeRe.ReplaceAllString(s, "TIME")
	s = minuteRe.ReplaceAllString(s, "TIME")
	return durationRe.ReplaceAllString(s, `"duration":0`)
}

// errorLines keeps the Error:/Try: lines of stderr (progress differs: the
// server's goes to its log).
func errorLines(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "Error: ") || strings.HasPrefix(l, "Try: ") || strings.HasPrefix(l, "note: ") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// storeRows is every record of the store as normalized JSON lines.
func storeRows(t *testing.T, st store.Store) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	dump := func(v any) {
		j, _ := json.Marshal(v)
		b.WriteString(normalize(string(j)) + "\n")
	}
	ps, err := st.Promotions(ctx, store.PromotionFilter{})
	fatalIf(t, err)
	dump(ps)
	ds, err := st.Deployments(ctx, store.DeploymentFilter{})
	fatalIf(t, err)
	dump(ds)
	cs, err := st.CheckRuns(ctx, store.CheckRunFilter{})
	fatalIf(t, err)
	dump(cs)
	es, err := st.Events(ctx, store.EventFilter{})
	fatalIf(t, err)
	dump(es)
	return b.String()
}
