package git

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestMergeNoFFWithTrailersInWorktree(t *testing.T) {
	r, base := newRepo(t)
	ctx := context.Background()
	mustRun(t, r, "branch", "develop")
	mustRun(t, r, "checkout", "-q", "develop")
	feat := commitFile(t, r, "app.txt", "v1\n", "feat: app")
	mustRun(t, r, "checkout", "-q", "main")
	// Make the user's tree dirty: ferry must not touch it.
	os.WriteFile(filepath.Join(r.Dir, "README.md"), []byte("local edit\n"), 0o644)

	msg := Message("Promote develop to main", "", []Trailer{{"Ferry-Promotion", "develop -> main"}, {"Ferry-Revision", feat}})
	var merged string
	err := r.WithWorktree(ctx, base, func(w *Worktree) error {
		var err error
		merged, err = w.MergeNoFF(ctx, feat, "main", msg)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := r.Log(ctx, "-1", merged)
	if err != nil {
		t.Fatal(err)
	}
	c := cs[0]
	if !reflect.DeepEqual(c.Parents, []string{base, feat}) {
		t.Fatalf("parents = %v, want [%s %s]", c.Parents, base, feat)
	}
	if v, _ := c.Trailer("ferry-revision"); v != feat {
		t.Fatalf("Ferry-Revision = %q, want %s (trailers %v)", v, feat, c.Trailers)
	}
	if b, _ := os.ReadFile(filepath.Join(r.Dir, "README.md")); string(b) != "local edit\n" {
		t.Fatalf("user's working tree touched: %q", b)
	}
	if h, _ := r.BranchHead(ctx, "main"); h != base {
		t.Fatalf("main moved by a worktree merge")
	}
	if entries, _ := os.ReadDir(filepath.Join(r.GitDir, worktreeDirName)); len(entries) != 0 {
		t.Fatalf("worktree left behind: %v", entries)
	}
}

func TestMergeConflictListsPaths(t *testing.T) {
	r, base := newRepo(t)
	ctx := context.Background()
	mustRun(t, r, "checkout", "-q", "-b", "topic")
	topic := commitFile(t, r, "README.md", "topic\n", "fix: topic")
	mustRun(t, r, "checkout", "-q", "main")
	head := commitFile(t, r, "README.md", "main\n", "fix: main")
	err := r.WithWorktree(ctx, head, func(w *Worktree) error {
		_, err := w.MergeNoFF(ctx, topic, "main", "merge")
		return err
	})
	var ce *ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, ErrConflict) {
		t.Fatalf("err = %v, want *ConflictError", err)
	}
	if !reflect.DeepEqual(ce.Paths, []string{"README.md"}) {
		t.Fatalf("paths = %v", ce.Paths)
	}
	_ = base
}

func TestCleanWorktreesRemovesDeadOwners(t *testing.T) {
	r, base := newRepo(t)
	ctx := context.Background()
	// Simulate a killed ferry: a worktree whose pid file names a dead process.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(r.GitDir, worktreeDirName, "wt-dead")
	os.MkdirAll(filepath.Dir(dir), 0o755)
	mustRun(t, r, "worktree", "add", "--detach", "--quiet", dir, base)
	os.WriteFile(dir+".pid", []byte(itoa(dead.Process.Pid)), 0o644)
	// And one owned by this (live) process, which must stay.
	live := filepath.Join(r.GitDir, worktreeDirName, "wt-live")
	mustRun(t, r, "worktree", "add", "--detach", "--quiet", live, base)
	os.WriteFile(live+".pid", []byte(itoa(os.Getpid())), 0o644)

	// And a temporary index directory (TreeWithFile) of the dead process.
	ix := filepath.Join(r.GitDir, worktreeDirName, "ix-dead")
	os.MkdirAll(ix, 0o755)
	os.WriteFile(filepath.Join(ix, "index"), []byte("x"), 0o644)
	os.WriteFile(ix+".pid", []byte(itoa(dead.Process.Pid)), 0o644)

	if err := r.CleanWorktrees(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("dead worktree still there: %v", err)
	}
	if _, err := os.Stat(ix); !os.IsNotExist(err) {
		t.Fatalf("dead temporary index still there: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Fatalf("live worktree removed: %v", err)
	}
	list := mustRun(t, r, "worktree", "list", "--porcelain")
	if strings.Contains(list, "wt-dead") {
		t.Fatalf("git still lists the dead worktree:\n%s", list)
	}

	// A worktree whose directory went without git being told (killed
	// between removing it and pruning): its record is pruned too.
	gone := filepath.Join(r.GitDir, worktreeDirName, "wt-gone")
	mustRun(t, r, "worktree", "add", "--detach", "--quiet", gone, base)
	if r.stalePrunable() {
		t.Fatal("live worktrees only, yet prunable")
	}
	os.RemoveAll(gone)
	if err := r.CleanWorktrees(ctx); err != nil {
		t.Fatal(err)
	}
	if list := mustRun(t, r, "worktree", "list", "--porcelain"); strings.Contains(list, "wt-gone") {
		t.Fatalf("git still lists the vanished worktree:\n%s", list)
	}
}

func TestPushNeverForcesAndIsAtomic(t *testing.T) {
	r, base := newRepo(t)
	ctx := context.Background()
	remote := filepath.Join(t.TempDir(), "remote.git")
	if out, err := exec.Command("git", "init", "-q", "--bare", remote).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	mustRun(t, r, "remote", "add", "origin", remote)
	if same, err := r.Push(ctx, "origin", []RefUpdate{{Ref: "refs/heads/main", New: base}}); err != nil || same {
		t.Fatal(same, err)
	}
	if same, err := r.Push(ctx, "origin", []RefUpdate{{Ref: "refs/heads/main", New: base}}); err != nil || !same {
		t.Fatalf("pushing the same commit again: unchanged = %v, %v", same, err)
	}
	next := commitFile(t, r, "b.txt", "b\n", "feat: b")
	// Someone else pushes a different commit first.
	mustRun(t, r, "checkout", "-q", "-b", "other", base)
	other := commitFile(t, r, "c.txt", "c\n", "feat: c")
	if _, err := r.Push(ctx, "origin", []RefUpdate{{Ref: "refs/heads/main", New: other}}); err != nil {
		t.Fatal(err)
	}
	tagObj, err := r.MakeTag(ctx, "v1.0.0", next, "release\n")
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Push(ctx, "origin", []RefUpdate{{Ref: "refs/heads/main", New: next}, {Ref: "refs/tags/v1.0.0", New: tagObj}})
	if !errors.Is(err, ErrNonFastForward) {
		t.Fatalf("push over a moved ref = %v, want ErrNonFastForward", err)
	}
	bare := &Repo{Dir: remote}
	if out, _ := bare.Run(ctx, "rev-parse", "main"); strings.TrimSpace(out) != other {
		t.Fatalf("remote main = %s, want %s (force-moved?)", out, other)
	}
	if _, err := bare.Run(ctx, "rev-parse", "--verify", "--quiet", "refs/tags/v1.0.0"); err == nil {
		t.Fatal("tag pushed although the atomic push failed")
	}
	mustRun(t, r, "tag", "local-only", base)
	if err := r.Fetch(ctx, "origin"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := r.RefExists(ctx, "refs/tags/local-only"); !ok {
		t.Fatal("fetch deleted a local-only tag")
	}
	if h, err := r.RemoteHead(ctx, "origin", "main"); err != nil || h != other {
		t.Fatalf("origin/main = %s, %v", h, err)
	}
	heads, err := r.RemoteHeads(ctx, "origin")
	if err != nil || heads["main"] != other || len(heads) != 1 {
		t.Fatalf("RemoteHeads = %v, %v; want main at %s only", heads, err, other)
	}
}

func TestUpdateRefsTransaction(t *testing.T) {
	r, base := newRepo(t)
	ctx := context.Background()
	next := commitFile(t, r, "b.txt", "b\n", "feat: b")
	mustRun(t, r, "branch", "release", base)
	tag, err := r.MakeTag(ctx, "v0.2.0", next, "notes\n")
	if err != nil {
		t.Fatal(err)
	}
	// A wrong old value for one ref: nothing may change.
	err = r.UpdateRefs(ctx, []RefUpdate{{Ref: "refs/tags/v0.2.0", New: tag}, {Ref: "refs/heads/release", New: next, Old: next}}, "test")
	if !errors.Is(err, ErrNonFastForward) {
		t.Fatalf("err = %v", err)
	}
	if ok, _ := r.RefExists(ctx, "refs/tags/v0.2.0"); ok {
		t.Fatal("tag created by a failed transaction")
	}
	if err := r.UpdateRefs(ctx, []RefUpdate{{Ref: "refs/tags/v0.2.0", New: tag}, {Ref: "refs/heads/release", New: next, Old: base}}, "test"); err != nil {
		t.Fatal(err)
	}
	if d, err := r.Describe(ctx, "release", "v[0-9]*", ""); err != nil || d != "v0.2.0" {
		t.Fatalf("describe = %q, %v", d, err)
	}
	if m, _ := r.TagMessage(ctx, "v0.2.0"); strings.TrimSpace(m) != "notes" {
		t.Fatalf("tag message = %q", m)
	}
}

func TestSyncCheckoutsKeepsTreeClean(t *testing.T) {
	r, base := newRepo(t)
	ctx := context.Background()
	mustRun(t, r, "checkout", "-q", "-b", "side")
	next := commitFile(t, r, "new.txt", "new\n", "feat: new")
	mustRun(t, r, "checkout", "-q", "main")
	if err := r.CheckDirty(ctx, "main"); err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateRef(ctx, "refs/heads/main", next, base, "move"); err != nil {
		t.Fatal(err)
	}
	notes, err := r.SyncCheckouts(ctx, "main", base, next)
	if err != nil || len(notes) > 0 {
		t.Fatalf("sync: %v %v", notes, err)
	}
	if clean, _ := r.IsClean(ctx, r.Dir); !clean {
		t.Fatal("working tree looks modified after the lane moved")
	}
	os.WriteFile(filepath.Join(r.Dir, "new.txt"), []byte("edit\n"), 0o644)
	if err := r.CheckDirty(ctx, "main"); !errors.Is(err, ErrDirty) {
		t.Fatalf("CheckDirty = %v, want ErrDirty", err)
	}
}

func TestParseLogTrailers(t *testing.T) {
	t.Parallel()
	out := "\x1eabc\x1fp1 p2\x1fA <a@x>\x1f2026-01-01T00:00:00Z\x1f2025-12-31T23:00:00+01:00\x1fFerry-Promotion: develop -> staging\nFerry-Revision: def\n\x1fPromote\n\nbody\n\nFerry-Promotion: develop -> staging\n"
	cs, err := ParseLog(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Subject != "Promote" || len(cs[0].Parents) != 2 || !cs[0].HasTrailerPrefix("ferry-") {
		t.Fatalf("parsed %+v", cs)
	}
	if cs[0].Date != "2026-01-01T00:00:00Z" || cs[0].AuthorDate != "2025-12-31T23:00:00+01:00" {
		t.Fatalf("dates = %q, %q", cs[0].Date, cs[0].AuthorDate)
	}
	if v, ok := cs[0].Trailer("Ferry-Revision"); !ok || v != "def" {
		t.Fatalf("trailer = %q %v", v, ok)
	}
	if _, err := ParseLog("\x1eonly\x1ftwo"); err == nil {
		t.Fatal("malformed record accepted")
	}
}

func FuzzParseLog(f *testing.F) {
	f.Add("\x1eabc\x1fp1\x1fA <a@x>\x1fdate\x1fadate\x1fK: v\n\x1fsubj\n\nbody")
	f.Add("\x1e\x1f\x1f\x1f\x1f\x1f\x1f")
	f.Add("garbage")
	f.Fuzz(func(t *testing.T, s string) {
		cs, err := ParseLog(s)
		if err == nil {
			for _, c := range cs {
				if c.ID == "" {
					t.Fatal("commit without ID")
				}
			}
		}
		ParseTrailers(s)
	})
}

func TestMessageCannotForgeTrailers(t *testing.T) {
	t.Parallel()
	m := Message("subj\nFerry-Override: x", "", []Trailer{{"Ferry-Override", "reason\nFerry-Revision: evil"}})
	ts := ParseTrailers(m[strings.LastIndex(m, "\n\n")+2:])
	if len(ts) != 1 || ts[0].Value != "reason Ferry-Revision: evil" {
		t.Fatalf("trailers = %+v\n%s", ts, m)
	}
}

func mustRun(t *testing.T, r *Repo, args ...string) string {
	t.Helper()
	out, err := r.Run(context.Background(), args...)
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestCheckCheckoutsRefusesUntrackedOverwrite(t *testing.T) {
	r, base := newRepo(t)
	ctx := context.Background()
	mustRun(t, r, "checkout", "-q", "-b", "side")
	next := commitFile(t, r, "new.txt", "new\n", "feat: new")
	mustRun(t, r, "checkout", "-q", "main")
	if err := r.CheckCheckouts(ctx, "main", base, next); err != nil {
		t.Fatalf("clean checkout: %v", err)
	}
	os.WriteFile(filepath.Join(r.Dir, "new.txt"), []byte("mine, untracked\n"), 0o644)
	err := r.CheckCheckouts(ctx, "main", base, next)
	var de *DirtyError
	if !errors.As(err, &de) || de.Detail == "" {
		t.Fatalf("untracked file in the way: %v, want a *DirtyError with detail", err)
	}
	if b, _ := os.ReadFile(filepath.Join(r.Dir, "new.txt")); string(b) != "mine, untracked\n" {
		t.Fatal("the check wrote to the working tree")
	}
}
