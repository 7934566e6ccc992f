package testenv_test

import (
	"os/exec"
	"testing"

	"ferry.dev/ferry/internal/testenv"
)

// gitTry runs git and returns its error instead of failing the test.
func gitTry(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(testenv.Require(t, "git"), args...)
	cmd.Dir = dir
	cmd.Env = testenv.GitEnv(t)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
