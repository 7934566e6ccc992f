package scan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/platform"
)

func summary(fs []check.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s:%d %s %s env=%s sup=%v %s\n", f.Location.File, f.Location.Line, f.Severity, f.RuleID, f.Env, f.Suppressed != nil, f.Message)
	}
	return b.String()
}

func find(fs []check.Finding, rule, file string) []check.Finding {
	var out []check.Finding
	for _, f := range fs {
		if f.RuleID == rule && (file == "" || f.Location.File == file) {
			out = append(out, f)
		}
	}
	return out
}

func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRunPlainTreeBadInput: hostile files give findings, never a panic or
// a hang, and real problems are still found next to them.
func TestRunPlainTreeBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	outside := t.TempDir()
	write(t, outside, "secret.yaml", "password: q8Zr!v2Lk9@pW4xN7mT1sB6e\n")
	write(t, dir, "bad.yaml", "a: [\n")
	write(t, dir, "binary.yaml", "kind: Pod\x00\x01\x02")
	write(t, dir, "latin1.yaml", "name: caf\xe9\n")
	write(t, dir, "bomb.yaml", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n")
	write(t, dir, "deep.yaml", strings.Repeat("[", 500)+strings.Repeat("]", 500))
	write(t, dir, "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n  # ferry:ignore FERRY-K8S-006\n  hostNetwork: true\n  containers:\n    - name: a\n      image: a:1\n      securityContext:\n        privileged: true # ferry:ignore FERRY-K8S-001 node agent needs it\n")
	write(t, dir, "photo.png", "\x89PNG\x00\x00binary")
	write(t, dir, "pod.json", "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"j\", \"namespace\": \"x\"},\n  \"spec\": {\"hostPID\": true, \"containers\": [{\"name\": \"a\", \"image\": \"a:1\"}]}\n}\n")
	write(t, dir, "package.json", "{\"name\": \"x\", \"version\": \"1.0.0\"}\n")
	big, err := os.Create(filepath.Join(dir, "big.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	big.Close()
	if err := os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}

	res, err := Run(context.Background(), Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	fs := res.Findings
	for _, want := range []struct{ rule, file string }{
		{check.RuleYAMLSyntax, "bad.yaml"}, {check.RuleFileSkipped, "binary.yaml"}, {check.RuleFileSkipped, "latin1.yaml"},
		{check.RuleYAMLSyntax, "bomb.yaml"}, {check.RuleYAMLSyntax, "deep.yaml"}, {check.RuleFileSkipped, "big.yaml"},
		{check.RuleFileSkipped, "link.yaml"}, {"FERRY-K8S-006", "pod.yaml"}, {check.RuleSuppressionReason, "pod.yaml"},
		{"FERRY-K8S-007", "pod.json"},
	} {
		if len(find(fs, want.rule, want.file)) == 0 {
			t.Errorf("no %s on %s\n%s", want.rule, want.file, summary(fs))
		}
	}
	if len(find(fs, "FERRY-CMP-054", "")) != 0 {
		t.Errorf("symlink target was read:\n%s", summary(fs))
	}
	if p := find(fs, "FERRY-K8S-001", "pod.yaml"); len(p) != 1 || p[0].Suppressed == nil || p[0].Suppressed.Reason != "node agent needs it" {
		t.Errorf("inline suppression not applied: %+v", p)
	}
	if h := find(fs, "FERRY-K8S-006", "pod.yaml"); len(h) != 1 || h[0].Suppressed != nil {
		t.Errorf("suppression without reason was honoured: %+v", h)
	}
	if len(find(fs, check.RuleFileSkipped, "photo.png")) != 0 {
		t.Errorf("non-configuration binary reported")
	}
	if res.Platform {
		t.Error("plain tree reported as platform")
	}
	var ue *UnknownEnvError
	if _, err := Run(context.Background(), Options{Root: dir, Env: "dev"}); !errors.As(err, &ue) || !ue.NoPlatform {
		t.Errorf("--env without ferry.yaml: err = %v", err)
	}
}

func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		write(t, dst, rel, string(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestRunPlatformRendersEnvironments: the prod overlay's patch makes the
// rendered Deployment use the host network; the finding names prod, points
// at the base file, and the base's suppression comment silences it.
func TestRunPlatformRendersEnvironments(t *testing.T) {
	t.Parallel()
	dir := copyTree(t, "testdata/platform")
	res, err := Run(context.Background(), Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	fs := res.Findings
	if !res.Platform || strings.Join(res.Envs, ",") != "dev,prod" || len(res.Policies) != 1 {
		t.Fatalf("result = %+v", res)
	}
	host := find(fs, "FERRY-K8S-006", "")
	if len(host) != 1 || host[0].Env != "prod" || host[0].Location.File != "apps/web/base/deployment.yaml" || host[0].Suppressed != nil {
		t.Fatalf("hostNetwork finding = %+v\n%s", host, summary(fs))
	}
	for _, f := range find(fs, "FERRY-K8S-015", "") {
		if f.Suppressed == nil || f.Suppressed.Source != "ferry.yaml" {
			t.Errorf("ferry.yaml disable not applied: %+v", f)
		}
	}
	for _, f := range find(fs, "FERRY-K8S-016", "") {
		if f.Severity != platform.SeverityMedium {
			t.Errorf("severity override not applied: %+v", f)
		}
	}
	if len(find(fs, "FERRY-K8S-016", "")) != 2 {
		t.Errorf("want a readiness finding per environment (names differ):\n%s", summary(fs))
	}
	if w := find(fs, "FERRY-POL-002", ""); len(w) != 1 || w[0].Env != "dev,prod" {
		t.Errorf("identical policy warnings not merged across environments:\n%s", summary(fs))
	}
	if len(find(fs, "FERRY-SCH-003", "")) != 0 {
		t.Errorf("patch file validated as an object:\n%s", summary(fs))
	}

	only, err := Run(context.Background(), Options{Root: dir, Env: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if len(find(only.Findings, "FERRY-K8S-006", "")) != 0 {
		t.Errorf("--env dev reported prod's finding")
	}
	var ue *UnknownEnvError
	if _, err := Run(context.Background(), Options{Root: dir, Env: "qa"}); !errors.As(err, &ue) {
		t.Errorf("unknown env err = %v", err)
	}

	base := filepath.Join(dir, "apps/web/base/deployment.yaml")
	data, _ := os.ReadFile(base)
	write(t, dir, "apps/web/base/deployment.yaml", "# ferry:ignore FERRY-K8S-006 prod nodes run the CNI on the host network\n"+string(data))
	res, err = Run(context.Background(), Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	if h := find(res.Findings, "FERRY-K8S-006", ""); len(h) != 1 || h[0].Suppressed == nil {
		t.Errorf("suppression above the base document not applied: %+v", h)
	}
}

func TestRunBrokenOverlayAndConfig(t *testing.T) {
	t.Parallel()
	dir := copyTree(t, "testdata/platform")
	write(t, dir, "apps/web/overlays/prod/kustomization.yaml", "resources: [../../missing]\n")
	write(t, dir, "policies/broken.rego", "package main\ndeny contains msg if {\n")
	res, err := Run(context.Background(), Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	if r := find(res.Findings, check.RuleRender, "apps/web/overlays/prod/kustomization.yaml"); len(r) != 1 || r[0].Env != "prod" {
		t.Errorf("render failure = %+v\n%s", r, summary(res.Findings))
	}
	if len(find(res.Findings, RulePolicyError, "")) != 1 {
		t.Errorf("broken policy not reported:\n%s", summary(res.Findings))
	}

	remote := copyTree(t, "testdata/platform")
	write(t, remote, "apps/web/overlays/dev/kustomization.yaml", "resources:\n  - ../../base\n  - https://github.com/example/manifests//web?ref=v1\n")
	res, err = Run(context.Background(), Options{Root: remote, Env: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if r := find(res.Findings, check.RuleRender, ""); len(r) != 1 || !strings.Contains(r[0].Message, "allowRemoteBases") {
		t.Errorf("remote base not refused: %+v", r)
	}

	bad := copyTree(t, "testdata/platform")
	write(t, bad, "ferry.yaml", "apiVersion: ferry.dev/v1alpha1\nkind: Platform\nspec:\n  lanez: []\n")
	res, err = Run(context.Background(), Options{Root: bad})
	if err != nil {
		t.Fatal(err)
	}
	if c := find(res.Findings, check.RuleConfig, platform.FileName); len(c) == 0 || c[0].Location.Line == 0 {
		t.Errorf("model error not a located finding:\n%s", summary(res.Findings))
	}
}

// TestReferencePlatform: examples/platform passes its own checks: no
// unsuppressed finding at any severity and no suppression without a reason.
func TestReferencePlatform(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "..", "examples", "platform")
	if _, err := os.Stat(filepath.Join(root, platform.FileName)); err != nil {
		t.Fatalf("reference platform missing: %v", err)
	}
	res, err := Run(context.Background(), Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Platform || len(res.Envs) == 0 {
		t.Fatalf("reference platform not checked as a platform: %+v", res)
	}
	for _, f := range res.Findings {
		if f.Suppressed == nil {
			t.Errorf("%s:%d %s %s (%s)", f.Location.File, f.Location.Line, f.RuleID, f.Message, f.Env)
		}
		if f.RuleID == check.RuleSuppressionBroad || f.RuleID == check.RuleSuppressionReason {
			t.Errorf("bad suppression: %s:%d %s", f.Location.File, f.Location.Line, f.Message)
		}
	}
}
