package git

import (
	"context"
	"os/exec"
	"strings"
	"testing"
)

// FuzzValidateRefName checks ValidateRefName never panics and never accepts
// a name git itself rejects (git check-ref-format --allow-onelevel is the
// reference). Accepting fewer names than git is allowed: ferry also refuses
// a leading '-'.
func FuzzValidateRefName(f *testing.F) {
	for _, s := range []string{"main", "feature/x", "-x", "a..b", "a.lock", "@", "a@{b", "v1.2.3-rc.1", "a/./b", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := ValidateRefName(name)
		if err != nil || strings.ContainsRune(name, 0) {
			return
		}
		cmd := exec.CommandContext(context.Background(), "git", "check-ref-format", "--allow-onelevel", "refs/heads/"+name)
		if out, gerr := cmd.CombinedOutput(); gerr != nil {
			t.Fatalf("ValidateRefName accepted %q but git rejects it: %s", name, out)
		}
	})
}
