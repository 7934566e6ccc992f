package testenv_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/testenv"
)

func TestTerraformEnv(t *testing.T) {
	t.Setenv("TF_PLUGIN_CACHE_DIR", "/somewhere")
	t.Setenv("TF_VAR_region", "eu-west-1")
	t.Setenv("TF_LOG", "TRACE")
	env := testenv.TerraformEnv(t)
	for k := range env {
		if strings.HasPrefix(k, "TF_") && k != "TF_CLI_CONFIG_FILE" {
			t.Errorf("TerraformEnv kept %s", k)
		}
	}
	if env["CHECKPOINT_DISABLE"] != "1" {
		t.Errorf("CHECKPOINT_DISABLE = %q, want 1", env["CHECKPOINT_DISABLE"])
	}
	if fi, err := os.Stat(env["TF_CLI_CONFIG_FILE"]); err != nil || fi.Size() != 0 {
		t.Errorf("TF_CLI_CONFIG_FILE %q: %v (want an empty file)", env["TF_CLI_CONFIG_FILE"], err)
	}
	if env["PATH"] != os.Getenv("PATH") {
		t.Errorf("PATH not passed through")
	}
}

func TestTerraformBinRuns(t *testing.T) {
	t.Parallel()
	bin := testenv.TerraformBin(t)
	cmd := exec.Command(bin, "version")
	for k, v := range testenv.TerraformEnv(t) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "Terraform v") {
		t.Fatalf("terraform version: %v\n%s", err, out)
	}
}
