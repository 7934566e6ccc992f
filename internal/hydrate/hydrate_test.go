package hydrate_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/hydrate"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/scaffold"
	"ferry.dev/ferry/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// refPlatform scaffolds the reference platform in a fresh repository.
func refPlatform(t *testing.T) (*platform.Platform, *git.Repo) {
	t.Helper()
	testenv.GitIsolate(t)
	dir := filepath.Join(t.TempDir(), "platform")
	if _, err := scaffold.Init(context.Background(), dir, false); err != nil {
		t.Fatal(err)
	}
	p, err := platform.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := git.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return p, repo
}

func render(t *testing.T, p *platform.Platform, repo *git.Repo, env, rev string) *deploy.Manifests {
	t.Helper()
	m, err := deploy.RenderEnv(context.Background(), p, env, rev, deploy.Options{Repo: repo})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestHydrate: the branch gets one commit per change of the manifests,
// none for equal ones; its files are the rendered objects, per target and
// component; the commit names the source revision.
func TestHydrate(t *testing.T) {
	p, repo := refPlatform(t)
	ctx := context.Background()
	m := render(t, p, repo, "production", "")
	res, err := hydrate.Hydrate(ctx, repo, m, hydrate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || res.Branch != "env/production" || res.Objects == 0 {
		t.Fatalf("first hydrate: %+v", res)
	}
	head, err := repo.BranchHead(ctx, "env/production")
	if err != nil || head != res.Commit {
		t.Fatalf("env/production at %s (%v), want %s", head, err, res.Commit)
	}
	files := strings.Fields(testenv.GitRun(t, repo.Dir, "ls-tree", "-r", "--name-only", res.Commit))
	if !slices.Equal(files, res.Files) {
		t.Fatalf("tree files %v, result files %v", files, res.Files)
	}
	// Production's two clusters get the components their targets list.
	for _, want := range []string{"README.md", "aws/backstage.yaml", "azure/backstage.yaml"} {
		if !slices.Contains(files, want) {
			t.Errorf("no %s in %v", want, files)
		}
	}
	msg := testenv.GitRun(t, repo.Dir, "log", "-1", "--format=%B", res.Commit)
	if !strings.Contains(msg, "Ferry-Revision: "+m.Revision) || !strings.Contains(msg, "Ferry-Hydrate: production") {
		t.Fatalf("commit message lacks the trailers:\n%s", msg)
	}
	// The file holds exactly the rendered objects of that component, with
	// the component's namespace on namespaced ones.
	var want int
	for _, tm := range m.Targets {
		if tm.Target != "aws" {
			continue
		}
		for _, c := range tm.Components {
			if c.Component == "backstage" {
				want = len(c.Objects)
			}
		}
	}
	data := testenv.GitRun(t, repo.Dir, "show", res.Commit+":aws/backstage.yaml")
	docs := strings.Split(strings.TrimPrefix(data, "---\n"), "\n---\n")
	if len(docs) != want || want == 0 {
		t.Fatalf("aws/backstage.yaml has %d documents, want %d", len(docs), want)
	}
	for _, d := range docs {
		var o struct {
			Kind     string
			Metadata struct{ Name, Namespace string }
		}
		if err := yaml.Unmarshal([]byte(d), &o); err != nil || o.Kind == "" || o.Metadata.Name == "" {
			t.Fatalf("document %q: %v", d, err)
		}
		if o.Kind != "Namespace" && o.Metadata.Namespace == "" {
			t.Errorf("%s/%s has no namespace", o.Kind, o.Metadata.Name)
		}
	}

	again, err := hydrate.Hydrate(ctx, repo, render(t, p, repo, "production", ""), hydrate.Options{})
	if err != nil || again.Changed || again.Commit != res.Commit {
		t.Fatalf("equal manifests: %+v %v, want no commit", again, err)
	}

	// A change on the lane gives a new commit on top of the last one.
	w := testenv.GitClone(t, repo.Dir)
	testenv.GitRun(t, w, "switch", "-q", "release")
	comp := filepath.Join(w, "apps", "backstage", "base")
	entries, err := os.ReadDir(comp)
	if err != nil {
		t.Fatal(err)
	}
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hydrate-probe\ndata:\n  k: v\n"
	if err := os.WriteFile(filepath.Join(comp, "probe.yaml"), []byte(cm), 0o644); err != nil {
		t.Fatal(err)
	}
	kust := filepath.Join(comp, "kustomization.yaml")
	kb, err := os.ReadFile(kust)
	if err != nil {
		t.Fatalf("%v (base has %d entries)", err, len(entries))
	}
	if err := os.WriteFile(kust, []byte(strings.Replace(string(kb), "resources:\n", "resources:\n  - probe.yaml\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	testenv.GitRun(t, w, "add", "-A")
	testenv.GitRun(t, w, "commit", "-q", "-m", "feat: probe")
	testenv.GitRun(t, w, "push", "-q", "origin", "release")
	next, err := hydrate.Hydrate(ctx, repo, render(t, p, repo, "production", ""), hydrate.Options{})
	if err != nil || !next.Changed {
		t.Fatalf("changed manifests: %+v %v", next, err)
	}
	if parent := strings.TrimSpace(testenv.GitRun(t, repo.Dir, "rev-parse", next.Commit+"^")); parent != res.Commit {
		t.Fatalf("new commit's parent %s, want the previous hydrate %s", parent, res.Commit)
	}
	if got := testenv.GitRun(t, repo.Dir, "show", next.Commit+":aws/backstage.yaml"); !strings.Contains(got, "hydrate-probe") {
		t.Fatal("the change is not in the hydrated manifests")
	}
}

// TestHydratePushes: with a remote the commit goes on the remote's branch,
// pushed without force, and the local branch follows; a branch the remote
// moved elsewhere meanwhile is built upon, not overwritten.
func TestHydratePushes(t *testing.T) {
	p, repo := refPlatform(t)
	ctx := context.Background()
	remote := testenv.GitRemote(t)
	testenv.GitRun(t, repo.Dir, "remote", "add", "origin", remote)
	testenv.GitRun(t, repo.Dir, "push", "-q", "origin", "--all")
	res, err := hydrate.Hydrate(ctx, repo, render(t, p, repo, "dev", ""), hydrate.Options{Remote: "origin"})
	if err != nil || !res.Pushed {
		t.Fatalf("%+v %v", res, err)
	}
	if got := strings.Fields(testenv.GitRun(t, remote, "rev-parse", "env/dev"))[0]; got != res.Commit {
		t.Fatalf("remote env/dev at %s, want %s", got, res.Commit)
	}
	if local, _ := repo.BranchHead(ctx, "env/dev"); local != res.Commit {
		t.Fatalf("local env/dev at %s, want %s", local, res.Commit)
	}
	// Someone adds a commit to the remote branch; the next hydrate (after a
	// fetch) builds on it.
	other := testenv.GitClone(t, remote)
	testenv.GitRun(t, other, "switch", "-q", "env/dev")
	testenv.GitCommitFile(t, other, "NOTE.md", "hand-made\n", "docs: a note")
	testenv.GitRun(t, other, "push", "-q", "origin", "env/dev")
	if err := repo.Fetch(ctx, "origin"); err != nil {
		t.Fatal(err)
	}
	theirs := strings.TrimSpace(testenv.GitRun(t, remote, "rev-parse", "env/dev"))
	next, err := hydrate.Hydrate(ctx, repo, render(t, p, repo, "dev", ""), hydrate.Options{Remote: "origin"})
	if err != nil || !next.Changed {
		t.Fatalf("%+v %v", next, err)
	}
	if parent := strings.TrimSpace(testenv.GitRun(t, remote, "rev-parse", "env/dev^")); parent != theirs {
		t.Fatalf("remote env/dev^ = %s, want their commit %s", parent, theirs)
	}
	if strings.Contains(testenv.GitRun(t, remote, "ls-tree", "--name-only", "env/dev"), "NOTE.md") {
		t.Fatal("the hydrated tree keeps a hand-made file: it must hold the manifests only")
	}
}

func TestHydrateRefusesBadBranch(t *testing.T) {
	p, repo := refPlatform(t)
	_, err := hydrate.Hydrate(context.Background(), repo, render(t, p, repo, "dev", ""), hydrate.Options{Branch: "env/../x"})
	if err == nil {
		t.Fatal("a bad branch name was accepted")
	}
}
