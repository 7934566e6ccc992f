package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/scaffold"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// TestHydrateAndExport: ferry hydrate takes --ref, else the revision the
// environment last deployed successfully, else its lane's head, and
// records the commit as an event; ferry export needs a repository URL and
// writes the objects as YAML documents.
func TestHydrateAndExport(t *testing.T) {
	testenv.GitIsolate(t)
	work := filepath.Join(t.TempDir(), "platform")
	repo, err := scaffold.Init(context.Background(), work, false)
	if err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Run(context.Background(), append(args, "--repo", work), Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
		return code, out.String(), errb.String()
	}
	hydrated := func(args ...string) map[string]any {
		t.Helper()
		code, out, errs := run(append([]string{"hydrate", "-o", "json"}, args...)...)
		var res map[string]any
		if code != ExitOK || json.Unmarshal([]byte(out), &res) != nil {
			t.Fatalf("hydrate %v: exit %d %s %s", args, code, out, errs)
		}
		return res
	}
	if res := hydrated("staging"); res["source"] != "lane" || res["revision"] != repo.Commit || res["changed"] != true {
		t.Fatalf("no deployment recorded: %v", res)
	}
	// Staging moves on; its recorded deployment stays at the first commit.
	testenv.GitRun(t, work, "switch", "-q", "staging")
	testenv.GitCommitFile(t, work, "NOTES.md", "later\n", "docs: later")
	later := strings.TrimSpace(testenv.GitRun(t, work, "rev-parse", "HEAD"))
	p, err := platform.Load(work)
	if err != nil {
		t.Fatal(err)
	}
	st, err := app.OpenStore(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	id, err := st.StartDeployment(context.Background(), store.Deployment{Env: "staging", Revision: repo.Commit, Status: store.StatusRunning, StartedAt: time.Now()})
	if err == nil {
		err = st.FinishDeployment(context.Background(), id, store.DeploymentResult{Status: store.StatusSucceeded, Healthy: true, EndedAt: time.Now()})
	}
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res := hydrated("staging"); res["source"] != "deployed" || res["revision"] != repo.Commit || res["changed"] != false {
		t.Fatalf("after a deployment of the first commit: %v", res)
	}
	if res := hydrated("staging", "--ref", later); res["source"] != "ref" || res["revision"] != later {
		t.Fatalf("--ref: %v", res)
	}
	st, err = app.OpenStore(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := st.Events(context.Background(), store.EventFilter{Kind: app.EventHydrate})
	st.Close()
	if err != nil || len(evs) != 1 || evs[0].Env != "staging" {
		// the first hydrate made a commit; the second none; the third
		// rendered equal manifests (NOTES.md is no manifest)
		t.Fatalf("hydrate events %+v (%v), want 1", evs, err)
	}
	if code, _, errs := run("hydrate", "nope"); code == ExitOK || !strings.Contains(errs, "nope") {
		t.Fatalf("unknown environment: exit %d %s", code, errs)
	}

	if code, _, errs := run("export", "flux"); code != ExitUsage || !strings.Contains(errs, "--repo-url") {
		t.Fatalf("export without a remote: exit %d %s", code, errs)
	}
	if code, _, errs := run("export", "spinnaker"); code != ExitUsage {
		t.Fatalf("export spinnaker: exit %d %s", code, errs)
	}
	code, out, errs := run("export", "argocd", "--repo-url", "https://git.example.com/p.git", "--env", "production")
	if code != ExitOK || strings.Count(out, "kind: Application\n") != 2 || !strings.Contains(out, "targetRevision: env/production") {
		t.Fatalf("export argocd: exit %d\n%s%s", code, out, errs)
	}
}
