package scaffold

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Tests here call t.Setenv through isolateGit, so they are not parallel.

func TestInitRepo(t *testing.T) {
	isolateGit(t, "Ada Platform", "ada@example.test")
	dir := written(t)
	repo, err := InitRepo(context.Background(), dir)
	if err != nil {
		t.Fatalf("InitRepo: %v", err)
	}
	wantLanes := []string{"develop", "staging", "main", "release"}
	if strings.Join(repo.Lanes, ",") != strings.Join(wantLanes, ",") || repo.Branch != "main" || repo.Tag != "v0.1.0" {
		t.Fatalf("InitRepo = %+v, want lanes %v on main, tag v0.1.0", repo, wantLanes)
	}
	if got := gitOut(t, dir, "symbolic-ref", "--short", "HEAD"); got != "main" {
		t.Errorf("HEAD on %q, want main", got)
	}
	// Every lane at the one first commit, which has no parent.
	for _, lane := range wantLanes {
		if got := gitOut(t, dir, "rev-parse", "refs/heads/"+lane); got != repo.Commit {
			t.Errorf("lane %s at %s, want %s", lane, got, repo.Commit)
		}
	}
	if got := gitOut(t, dir, "rev-list", "--count", "--all"); got != "1" {
		t.Errorf("%s commits in the repository, want 1", got)
	}
	if got := gitOut(t, dir, "for-each-ref", "--format=%(refname)", "refs/heads"); strings.Count(got, "\n")+1 != len(wantLanes) {
		t.Errorf("branches:\n%s\nwant exactly the lanes", got)
	}
	// An annotated tag object pointing at the commit.
	if got := gitOut(t, dir, "cat-file", "-t", "refs/tags/v0.1.0"); got != "tag" {
		t.Errorf("v0.1.0 is a %s, want an annotated tag", got)
	}
	if got := gitOut(t, dir, "rev-parse", "v0.1.0^{commit}"); got != repo.Commit {
		t.Errorf("v0.1.0 points at %s, want %s", got, repo.Commit)
	}
	if got := gitOut(t, dir, "for-each-ref", "--format=%(taggername) %(taggeremail)", "refs/tags/v0.1.0"); got != "Ada Platform <ada@example.test>" {
		t.Errorf("tagger %q, want the configured identity", got)
	}
	if got := gitOut(t, dir, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s"); got != "Ada Platform <ada@example.test>|Ada Platform <ada@example.test>|feat: reference platform scaffolded by ferry init" {
		t.Errorf("first commit %q", got)
	}
	if got := gitOut(t, dir, "status", "--porcelain", "--ignored"); got != "" {
		t.Errorf("work tree not clean after init:\n%s", got)
	}
	files, _ := Files()
	tracked := gitOut(t, dir, "ls-files")
	if n := strings.Count(tracked, "\n") + 1; n != len(files) {
		t.Errorf("%d files committed, want the %d reference files", n, len(files))
	}
	for _, f := range []string{"ferry.yaml", ".gitignore", ".github/workflows/ferry.yml", ".devcontainer/devcontainer.json", "policies/labels.rego"} {
		if !strings.Contains("\n"+tracked+"\n", "\n"+f+"\n") {
			t.Errorf("%s not committed", f)
		}
	}
}

func TestInitRepoDefaultIdentity(t *testing.T) {
	isolateGit(t, "", "")
	dir := written(t)
	if _, err := InitRepo(context.Background(), dir); err != nil {
		t.Fatalf("InitRepo without a git identity: %v", err)
	}
	if got := gitOut(t, dir, "log", "-1", "--format=%an <%ae>"); got != "ferry <ferry@localhost>" {
		t.Errorf("author %q, want ferry <ferry@localhost>", got)
	}
	if got := gitOut(t, dir, "for-each-ref", "--format=%(taggername) %(taggeremail)", "refs/tags/v0.1.0"); got != "ferry <ferry@localhost>" {
		t.Errorf("tagger %q, want ferry <ferry@localhost>", got)
	}
	// The user's config was read, never written.
	if got, _ := os.ReadFile(os.Getenv("GIT_CONFIG_GLOBAL")); strings.Contains(string(got), "ferry") {
		t.Errorf("InitRepo wrote an identity into the global git config:\n%s", got)
	}
}

func TestInitRepoFollowsModel(t *testing.T) {
	isolateGit(t, "Ada Platform", "ada@example.test")
	dir := written(t)
	path := filepath.Join(dir, "ferry.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "tagPrefix: v\n", "tagPrefix: platform-v\n", 1)
	if edited == string(data) {
		t.Fatal("reference ferry.yaml has no `tagPrefix: v` line to edit")
	}
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	repo, err := InitRepo(context.Background(), dir)
	if err != nil {
		t.Fatalf("InitRepo: %v", err)
	}
	if repo.Tag != "platform-v0.1.0" {
		t.Fatalf("tag %q, want platform-v0.1.0 from the model's tagPrefix", repo.Tag)
	}
	if got := gitOut(t, dir, "cat-file", "-t", "refs/tags/platform-v0.1.0"); got != "tag" {
		t.Errorf("platform-v0.1.0 is a %s, want an annotated tag", got)
	}
}

func TestInitRepoRejectsBadModel(t *testing.T) {
	isolateGit(t, "Ada Platform", "ada@example.test")
	dir := written(t)
	if err := os.WriteFile(filepath.Join(dir, "ferry.yaml"), []byte("apiVersion: ferry.dev/v1alpha1\nkind: Platform\nspec:\n  bogus: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := InitRepo(context.Background(), dir); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Fatalf("InitRepo with an unknown field = %v, want an error naming it", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a repository was created for an invalid model (stat: %v)", err)
	}
}

func TestInitRefusesExistingRepo(t *testing.T) {
	isolateGit(t, "Ada Platform", "ada@example.test")
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "p")
	if _, err := Init(ctx, dir, false); err != nil {
		t.Fatalf("first Init: %v", err)
	}
	readme := filepath.Join(dir, "README.md")
	if err := os.WriteFile(readme, []byte("my own readme\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Init(ctx, dir, true)
	if !errors.Is(err, ErrAlreadyRepo) {
		t.Fatalf("Init --force on a repository = %v, want ErrAlreadyRepo", err)
	}
	if got, _ := os.ReadFile(readme); string(got) != "my own readme\n" {
		t.Errorf("refused Init overwrote README.md: %q", got)
	}
	if _, err := InitRepo(ctx, dir); !errors.Is(err, ErrAlreadyRepo) {
		t.Errorf("InitRepo on a repository = %v, want ErrAlreadyRepo", err)
	}
}

func TestInitForceIntoNonEmptyDir(t *testing.T) {
	isolateGit(t, "Ada Platform", "ada@example.test")
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "NOTES.md"), []byte("notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Init(ctx, dir, false); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("Init into a non-empty dir = %v, want ErrNotEmpty", err)
	}
	if _, err := Init(ctx, dir, true); err != nil {
		t.Fatalf("Init --force: %v", err)
	}
	if got := gitOut(t, dir, "status", "--porcelain"); got != "" {
		t.Errorf("work tree not clean:\n%s", got)
	}
	if got := gitOut(t, dir, "ls-files", "NOTES.md"); got != "NOTES.md" {
		t.Errorf("the existing file was not committed with the platform")
	}
}
