package terraform

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const secret = "s3cr3t-token-value"

// newStack copies testdata/stack into a fresh working copy.
func newStack(t *testing.T) (*Runner, Stack) {
	t.Helper()
	bin := testenv.TerraformBin(t)
	wd := t.TempDir()
	for _, f := range []string{"main.tf", "dev.tfvars"} {
		b, err := os.ReadFile(filepath.Join("testdata", "stack", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(wd, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := NewRunner(bin)
	if err != nil {
		t.Fatal(err)
	}
	return r, Stack{
		Component: "stack", Dir: wd, StateDir: t.TempDir(), Workspace: "dev",
		VarFiles: []string{filepath.Join(wd, "dev.tfvars")},
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPlanApplyDriftLocal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, s := newStack(t)

	p, err := r.Plan(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Summary.String(); got != "1 to add, 0 to change, 0 to destroy" || !p.Changed {
		t.Fatalf("first plan: %s changed=%v", got, p.Changed)
	}
	if js := mustJSON(t, p.Summary); strings.Contains(js, secret) || strings.Contains(p.Summary.String(), secret) {
		t.Fatalf("summary leaks a sensitive value: %s", js)
	}
	out, err := r.Apply(ctx, s, p)
	if err != nil {
		t.Fatal(err)
	}
	if got := out["name"].String(); got != `"one"` {
		t.Errorf("output name = %s", got)
	}
	if got := out["token"].String(); got != "(sensitive)" || strings.Contains(mustJSON(t, out), secret) {
		t.Errorf("sensitive output shown: %s %s", got, mustJSON(t, out))
	}
	ex, err := out.Export([]string{"name", "token", "shape"})
	if err != nil {
		t.Fatal(err)
	}
	if ex.Plain["name"] != "one" || ex.Sensitive["token"] != secret || ex.Plain["shape"] != `{"n":2,"name":"one"}` {
		t.Errorf("exports: %+v", ex.Plain)
	}
	if _, err := out.Export([]string{"nope"}); err == nil {
		t.Error("exporting a missing output succeeded")
	}
	// The state lives in StateDir under the workspace, not in the working copy.
	if _, err := os.Stat(filepath.Join(s.StateDir, "workspaces", "dev", "terraform.tfstate")); err != nil {
		t.Errorf("workspace state not in state dir: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "terraform.tfstate")); err == nil {
		t.Error("state written into the working copy")
	}

	drift, sum, err := r.Drift(ctx, s)
	if err != nil || drift || !sum.Empty() {
		t.Fatalf("after apply: drift=%v %v err=%v", drift, sum, err)
	}
	s.Vars = map[string]string{"name": "two"}
	drift, sum, err = r.Drift(ctx, s)
	if err != nil || !drift {
		t.Fatalf("changed input: drift=%v err=%v", drift, err)
	}
	want := []Change{{"terraform_data.app", "update"}, {"terraform_data.extra[0]", "create"}}
	if mustJSON(t, sum.Changes) != mustJSON(t, want) || sum.String() != "1 to add, 1 to change, 0 to destroy" {
		t.Errorf("drift summary %s %s", sum, mustJSON(t, sum.Changes))
	}
}

// denyAll is a hand-written PolicyChecker: package policy (Rego) is the real
// one and lives elsewhere; this seam test only checks that a refusal blocks
// the apply.
type denyAll struct{ got []byte }

func (d *denyAll) CheckPlan(_ context.Context, _ string, planJSON []byte) error {
	d.got = planJSON
	return errors.New("deny: terraform_data is not allowed")
}

func TestPolicyBlocksApply(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, s := newStack(t)
	d := &denyAll{}
	r.Policy = d
	p, err := r.Plan(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Apply(ctx, s, p)
	if !errors.Is(err, ErrPolicyDenied) {
		t.Fatalf("apply error %v, want ErrPolicyDenied", err)
	}
	if !strings.Contains(string(d.got), `"resource_changes"`) {
		t.Error("policy did not get the plan JSON")
	}
	r.Policy = nil
	drift, _, err := r.Drift(ctx, s)
	if err != nil || !drift {
		t.Fatalf("denied plan was applied: drift=%v err=%v", drift, err)
	}
}

func TestPGBackend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, s := newStack(t)
	s.Backend = "pg"
	r.Env["FERRY_TEST_PG_DSN"] = testenv.PostgresDSN(t)
	s.BackendConfig = map[string]string{"conn_str": "${FERRY_TEST_PG_DSN}", "schema_name": "ferry_tf_test"}
	p, err := r.Plan(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Apply(ctx, s, p); err != nil {
		t.Fatal(err)
	}
	// A second working copy with its own data dir sees the state in pg.
	r2, s2 := newStack(t)
	s2.Backend, s2.BackendConfig, r2.Env = s.Backend, s.BackendConfig, r.Env
	drift, sum, err := r2.Drift(ctx, s2)
	if err != nil || drift {
		t.Fatalf("fresh copy on pg: drift=%v %v err=%v", drift, sum, err)
	}
}

func TestBackendSecretsRedacted(t *testing.T) {
	t.Parallel()
	r, s := newStack(t)
	s.Backend = "pg"
	s.BackendConfig = map[string]string{"conn_str": "postgres://ferry:hunter2-secret@127.0.0.1:1/nope?sslmode=disable&connect_timeout=2"}
	_, err := r.Plan(context.Background(), s)
	if err == nil {
		t.Fatal("plan against an unreachable pg backend succeeded")
	}
	if strings.Contains(err.Error(), "hunter2-secret") {
		t.Fatalf("backend secret in error: %v", err)
	}
}

func TestFind(t *testing.T) {
	if _, err := Find("definitely-not-terraform-xyz"); !errors.Is(err, ErrNoBinary) {
		t.Fatalf("Find missing: %v", err)
	}
	t.Setenv("PATH", "")
	if _, err := Find(""); !errors.Is(err, ErrNoBinary) {
		t.Fatalf("Find on empty PATH: %v", err)
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	r := &Runner{Env: map[string]string{"DSN": "postgres://u:pw-from-env@h/db"}}
	s := Stack{BackendConfig: map[string]string{"conn_str": "${DSN}", "key": "plain-key-123", "x": "ab"}}
	err := r.redact(s, errors.New("init: dial postgres://u:pw-from-env@h/db failed; key plain-key-123; ab"))
	msg := err.Error()
	if strings.Contains(msg, "pw-from-env") || strings.Contains(msg, "plain-key-123") {
		t.Fatalf("not redacted: %s", msg)
	}
	if !strings.Contains(msg, "[redacted]") || !strings.HasSuffix(msg, "; ab") {
		t.Fatalf("unexpected redaction: %s", msg)
	}
	if errors.Unwrap(err) != nil {
		t.Fatal("redacted error unwraps to the original message")
	}
}
