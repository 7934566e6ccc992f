package gitflow

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/platform"
)

func TestCheckMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		subject string
		ok      bool
	}{
		{"feat: add aws foundation", true},
		{"fix(k3d): mount registry config", true},
		{"feat(api)!: drop v1 endpoints", true},
		{"chore(deps, ci): bump actions", true},
		{"revert: feat: add x", true},
		{"Add stuff", false},
		{"feat:missing space", false},
		{"feature: not a type", false},
		{"Fix: capitalised type", false},
		{"fixup! feat: add x", false},
		{"", false},
		{"feat(): empty scope", false},
	}
	for _, tt := range tests {
		t.Run(tt.subject, func(t *testing.T) {
			t.Parallel()
			if why := CheckMessage(tt.subject); (why == "") != tt.ok {
				t.Errorf("CheckMessage(%q) = %q, want ok=%v", tt.subject, why, tt.ok)
			}
		})
	}
}

func TestCheckBranch(t *testing.T) {
	t.Parallel()
	p := &platform.Platform{Spec: platform.Spec{
		Lanes:  []platform.Lane{{Name: "develop"}, {Name: "main"}},
		Topics: []platform.Topic{{Kind: "feature", Prefix: "feature/"}, {Kind: "hotfix", Prefix: "hotfix/"}},
	}}
	tests := map[string]bool{
		"develop": true, "main": true, "HEAD": true, "feature/aws-foundation": true, "hotfix/k3d-dns": true,
		"feature/team/portal": true, "wip": false, "feature/": false, "feature/Bad_Name": false, "bugfix/x": false,
	}
	for branch, ok := range tests {
		if got := len(CheckBranch(branch, p)) == 0; got != ok {
			t.Errorf("CheckBranch(%q) ok = %v, want %v", branch, got, ok)
		}
	}
}

// TestCheckCommitsRealGit runs against a real repository: a bad message is
// found, merge commits and ferry's own commits are exempt.
func TestCheckCommitsRealGit(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is required: apt-get install git")
	}
	ctx := context.Background()
	dir := t.TempDir()
	repo, err := git.Init(ctx, dir, "develop")
	if err != nil {
		t.Fatal(err)
	}
	commit := func(msg string) {
		t.Helper()
		if _, err := repo.Run(ctx, "commit", "--allow-empty", "-m", msg); err != nil {
			t.Fatal(err)
		}
	}
	commit("chore: initial")
	base, _ := repo.Run(ctx, "rev-parse", "HEAD")
	commit("feat: good one")
	commit("updated things")
	commit("Promote develop\n\nFerry-Revision: abc")
	cs, err := Commits(ctx, repo, strings.TrimSpace(base)+"..HEAD")
	if err != nil {
		t.Fatal(err)
	}
	fs := CheckCommits(cs)
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "updated things") || fs[0].RuleID != RuleCommitMessage {
		t.Fatalf("findings = %+v", fs)
	}
	if _, err := Commits(ctx, repo, "--all"); err == nil {
		t.Error("option-like range accepted")
	}
}
