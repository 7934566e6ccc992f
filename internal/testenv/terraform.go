package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TerraformBin returns the terraform binary (BinDir, then PATH), skipping the
// test when it is missing (failing it when CI=true).
func TerraformBin(t testing.TB) string {
	t.Helper()
	return Require(t, "terraform")
}

// TerraformEnv returns an isolated environment for Terraform in the form
// terraform-exec's (*tfexec.Terraform).SetEnv takes: the process environment
// without any TF_* variable (so no TF_PLUGIN_CACHE_DIR, TF_CLI_ARGS or
// TF_VAR_* of the developer leaks in, and none that SetEnv rejects),
// CHECKPOINT_DISABLE=1 (no update check calls home), and TF_CLI_CONFIG_FILE
// pointing at an empty file, so ~/.terraformrc is ignored.
func TerraformEnv(t testing.TB) map[string]string {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "terraformrc")
	if err := os.WriteFile(cfg, nil, 0o644); err != nil {
		t.Fatalf("testenv: write terraform cli config: %v", err)
	}
	env := make(map[string]string)
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_") {
			continue
		}
		env[k] = v
	}
	env["CHECKPOINT_DISABLE"] = "1"
	env["TF_CLI_CONFIG_FILE"] = cfg
	return env
}
