package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/scaffold"
	"ferry.dev/ferry/internal/testenv"
)

// TestDeployVerbs runs plan, sync, status --live and history in-process on
// the reference platform against the harness control plane, whose
// kubeconfig gets the reference platform's context name (ferry-local).
func TestDeployVerbs(t *testing.T) {
	testenv.GitIsolate(t)
	testenv.TerraformBin(t)
	cp := testenv.ControlPlaneFor(t)
	cp.KubeconfigAs(t, "ferry-local")
	dir := filepath.Join(t.TempDir(), "platform")
	if _, err := scaffold.Init(context.Background(), dir, false); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Run(context.Background(), append(args, "--repo", dir), Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
		return code, out.String(), errb.String()
	}

	// staging has never been deployed: plan shows creations, exit 1.
	code, out, errs := run("plan", "staging", "-o", "json")
	if code != ExitProblem {
		t.Fatalf("plan before sync: exit %d\n%s\n%s", code, out, errs)
	}
	var plan struct {
		DryRun  bool `json:"dryRun"`
		Targets []struct {
			Components []struct {
				Component string `json:"component"`
				Terraform *struct {
					Add int `json:"add"`
				} `json:"terraform"`
			} `json:"components"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil || !plan.DryRun || plan.Targets[0].Components[0].Terraform.Add == 0 {
		t.Fatalf("plan json: %v\n%s", err, out)
	}

	if code, out, errs = run("sync", "staging"); code != ExitOK {
		t.Fatalf("sync: exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "staging at ") || !strings.Contains(out, "succeeded") {
		t.Errorf("sync output:\n%s", out)
	}
	if code, out, errs = run("plan", "staging"); code != ExitOK {
		t.Fatalf("plan after sync: exit %d\n%s\n%s", code, out, errs)
	}
	if code, out, errs = run("status", "staging", "--live"); code != ExitOK || !strings.Contains(out, "healthy") {
		t.Fatalf("status --live: exit %d\n%s\n%s", code, out, errs)
	}
	if code, out, errs = run("history", "staging"); code != ExitOK || !strings.Contains(out, "deployments of staging") {
		t.Fatalf("history: exit %d\n%s\n%s", code, out, errs)
	}
	// Deployments name the actor the way lane moves do: the Git identity.
	if want := os.Getenv("GIT_COMMITTER_NAME"); want == "" || !strings.Contains(out, want) {
		t.Errorf("history does not name the committer %q as the deployer:\n%s", want, out)
	}
	if code, _, errs = run("sync", "nope"); code != ExitUsage || !strings.Contains(errs, `unknown environment "nope"`) {
		t.Fatalf("sync of an unknown env: exit %d\n%s", code, errs)
	}
}
