package preview_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/preview"
	"ferry.dev/ferry/internal/scaffold"
	"ferry.dev/ferry/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestMain(m *testing.M) { testenv.Main(m) }

// change makes feature/x on the reference platform: a ConfigMap value
// changed, a Secret added (its values must never show), the NetworkPolicy
// removed, a privileged container (a new finding) and a Terraform file
// touched.
func change(t *testing.T) string {
	t.Helper()
	testenv.GitIsolate(t)
	dir := filepath.Join(t.TempDir(), "platform")
	if _, err := scaffold.Init(context.Background(), dir, false); err != nil {
		t.Fatal(err)
	}
	testenv.GitRun(t, dir, "switch", "-q", "-c", "feature/x", "develop")
	base := filepath.Join(dir, "apps", "sample-service", "base")
	edit(t, filepath.Join(base, "configmap.yaml"), "#34577c", "#2e7d32")
	write(t, filepath.Join(base, "secret.yaml"), "apiVersion: v1\nkind: Secret\nmetadata:\n  name: api-key\nstringData:\n  key: s3cr3t-value-never-shown\n")
	edit(t, filepath.Join(base, "kustomization.yaml"), "  - networkpolicy.yaml\n", "  - secret.yaml\n")
	edit(t, filepath.Join(base, "deployment.yaml"), "            allowPrivilegeEscalation: false\n", "            allowPrivilegeEscalation: false\n            privileged: true\n")
	write(t, filepath.Join(dir, "infra", "stacks", "local", "notes.tf"), "# a comment only\n")
	testenv.GitRun(t, dir, "add", "-A")
	testenv.GitRun(t, dir, "commit", "-q", "-m", "feat: preview fixture")
	return dir
}

func editB(b *testing.B, path, old, new string) { edit(b, path, old, new) }
func writeB(b *testing.B, path, content string) { write(b, path, content) }

func edit(t testing.TB, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", path, old)
	}
	write(t, path, strings.Replace(string(b), old, new, 1))
}

func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// golden compares got (with the commits made generic) with testdata/name.
func golden(t *testing.T, name, got string, p *preview.Preview) {
	t.Helper()
	for _, r := range []preview.Revision{p.Base, p.Head} {
		got = strings.ReplaceAll(got, r.Commit, "<"+r.Ref+">")
		got = strings.ReplaceAll(got, r.Commit[:12], "<"+r.Ref+">")
	}
	path := filepath.Join("testdata", name)
	if *update {
		write(t, path, got)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

func TestPreviewGolden(t *testing.T) {
	dir := change(t)
	p, err := preview.Run(context.Background(), dir, preview.Options{Base: "develop", Head: "feature/x", Envs: []string{"dev", "production"}})
	if err != nil {
		t.Fatal(err)
	}
	md := p.Markdown(preview.MarkdownOptions{})
	js, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{md, string(js)} {
		if strings.Contains(out, "s3cr3t-value-never-shown") || strings.Contains(out, "czNjcjN0") {
			t.Fatal("a Secret's value reached the preview")
		}
	}
	golden(t, "feature-x.md", md, p)
	golden(t, "feature-x.json", string(js)+"\n", p)
	dev := p.Envs[0]
	if dev.Env != "dev" || dev.Counts["create"] != 1 || dev.Counts["prune"] != 2 || dev.Counts["configure"] != 2 {
		t.Errorf("dev counts %v", dev.Counts)
	}
	if len(dev.Terraform) != 1 || dev.Terraform[0].Component != "local" {
		t.Errorf("dev terraform %+v, want the local stack", dev.Terraform)
	}
	if len(p.Checks.Added) == 0 || len(p.Checks.Resolved) != 0 {
		t.Errorf("checks: %d added, %d resolved", len(p.Checks.Added), len(p.Checks.Resolved))
	}
}

// TestPreviewFitsOneComment: a change to 1,500 objects with long values
// makes a Markdown comment under GitHub's limit that says where the full
// preview is, while the JSON keeps every object.
func TestPreviewFitsOneComment(t *testing.T) {
	testenv.GitIsolate(t)
	dir := filepath.Join(t.TempDir(), "platform")
	if _, err := scaffold.Init(context.Background(), dir, false); err != nil {
		t.Fatal(err)
	}
	testenv.GitRun(t, dir, "switch", "-q", "-c", "feature/big", "develop")
	base := filepath.Join(dir, "apps", "sample-service", "base")
	var b strings.Builder
	for i := range 1500 {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: many-%d\ndata:\n  v: %q\n", i, strings.Repeat("x", 60))
	}
	write(t, filepath.Join(base, "many.yaml"), b.String())
	edit(t, filepath.Join(base, "kustomization.yaml"), "resources:\n", "resources:\n  - many.yaml\n")
	testenv.GitRun(t, dir, "add", "-A")
	testenv.GitRun(t, dir, "commit", "-q", "-m", "feat: many")
	p, err := preview.Run(context.Background(), dir, preview.Options{Base: "develop", Head: "feature/big"})
	if err != nil {
		t.Fatal(err)
	}
	md := p.Markdown(preview.MarkdownOptions{FullJSON: "the preview.json artifact"})
	if len(md) >= preview.MaxComment || !strings.Contains(md, "the full preview: the preview.json artifact") {
		t.Fatalf("markdown of %d characters:\n%s", len(md), md[:min(len(md), 2000)])
	}
	total := 0
	for _, e := range p.Envs {
		total += e.Counts["create"]
	}
	if total != 1500*4 { // dev, staging and production's two clusters
		t.Fatalf("%d objects created in the JSON, want %d", total, 1500*4)
	}
}

func TestPreviewErrors(t *testing.T) {
	dir := change(t)
	ctx := context.Background()
	if _, err := preview.Run(ctx, dir, preview.Options{Base: "develop", Head: "no-such-branch"}); err == nil {
		t.Error("an unknown head was previewed")
	}
	if _, err := preview.Run(ctx, dir, preview.Options{Base: "develop", Head: "feature/x", Envs: []string{"qa"}}); err == nil || !strings.Contains(err.Error(), "qa") {
		t.Errorf("unknown environment: %v", err)
	}
	// A head whose overlay does not render is reported, not fatal.
	testenv.GitRun(t, dir, "switch", "-q", "feature/x")
	write(t, filepath.Join(dir, "apps", "sample-service", "base", "kustomization.yaml"), "resources: [missing.yaml]\n")
	testenv.GitRun(t, dir, "commit", "-q", "-am", "fix: broken")
	p, err := preview.Run(ctx, dir, preview.Options{Base: "develop", Head: "feature/x", Envs: []string{"dev"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Envs[0].Error == "" || !strings.Contains(p.Markdown(preview.MarkdownOptions{}), "does not render") {
		t.Fatalf("broken head: %+v", p.Envs[0])
	}
}
