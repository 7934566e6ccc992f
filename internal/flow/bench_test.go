package flow

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// benchRepo builds, with git fast-import, a repository whose develop lane
// has n linear commits. The last release (tag v0.1.0 on release, = main) is
// 500 commits behind develop's head and staging 100 behind, so every size
// has the same amount of work since the last release: only the length of
// history differs.
func benchRepo(b *testing.B, n int) (dir string, e *Engine) {
	b.Helper()
	dir = b.TempDir()
	run := func(stdin []byte, args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		if stdin != nil {
			cmd.Stdin = bytes.NewReader(stdin)
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run(nil, "init", "--quiet", "--initial-branch=main")
	var s bytes.Buffer
	ts := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	yaml := testYAML
	for i := 1; i <= n; i++ {
		msg := fmt.Sprintf("fix: change %d\n", i)
		if i%7 == 0 {
			msg = fmt.Sprintf("feat(area%d): change %d\n", i%13, i)
		}
		fmt.Fprintf(&s, "commit refs/heads/develop\nmark :%d\ncommitter Dev <dev@x> %d +0000\ndata %d\n%s", i, ts+int64(i), len(msg), msg)
		if i > 1 {
			fmt.Fprintf(&s, "from :%d\n", i-1)
		}
		if i == 1 {
			fmt.Fprintf(&s, "M 100644 inline ferry.yaml\ndata %d\n%s\n", len(yaml), yaml)
		}
		content := fmt.Sprintf("content %d\n", i)
		fmt.Fprintf(&s, "M 100644 inline dir%d/f%d.txt\ndata %d\n%s\n", i%10, i%100, len(content), content)
	}
	rel := n - 500
	tagMsg := "v0.1.0\n"
	fmt.Fprintf(&s, "reset refs/heads/main\nfrom :%d\n\n", rel)
	fmt.Fprintf(&s, "reset refs/heads/release\nfrom :%d\n\n", rel)
	fmt.Fprintf(&s, "reset refs/heads/staging\nfrom :%d\n\n", n-100)
	fmt.Fprintf(&s, "tag v0.1.0\nfrom :%d\ntagger Dev <dev@x> %d +0000\ndata %d\n%s\n", rel, ts, len(tagMsg), tagMsg)
	run(s.Bytes(), "fast-import", "--quiet")
	run(nil, "checkout", "--quiet", "main")

	p, err := platform.Parse([]byte(testYAML), "ferry.yaml", dir)
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.OpenSQLite(context.Background(), filepath.Join(dir, ".ferry", "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	b.Setenv("HOME", dir)
	b.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	e, err = New(context.Background(), p, Options{Store: st, Actor: "bench <b@x>"})
	if err != nil {
		b.Fatal(err)
	}
	head, err := e.branchHead(context.Background(), "develop")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.RecordCheckRun(context.Background(), store.CheckRun{Revision: head, Passed: true}); err != nil {
		b.Fatal(err)
	}
	return dir, e
}

// BenchmarkPromote measures promotion planning, a whole promotion (worktree,
// merge, compare-and-swap, record) and the version computation on
// repositories of 5,000 and 50,000 commits. Run with
// go test -run '^$' -bench . -benchtime 20x ./internal/flow
func BenchmarkPromote(b *testing.B) {
	for _, n := range []int{5000, 50000} {
		_, e := benchRepo(b, n)
		ctx := context.Background()
		b.Run(fmt.Sprintf("plan/commits=%d", n), func(b *testing.B) {
			for b.Loop() {
				p, err := e.PlanPromotion(ctx, "staging", "")
				if err != nil || !p.Allowed || len(p.Commits) != 50 {
					b.Fatalf("plan: %+v, %v", p, err)
				}
			}
		})
		b.Run(fmt.Sprintf("version/commits=%d", n), func(b *testing.B) {
			head, _ := e.branchHead(ctx, "develop")
			for b.Loop() {
				vp, err := e.NextVersion(ctx, head, BumpNone, false)
				if err != nil || vp.Tag != "v0.2.0" || len(vp.Changes) != 500 {
					b.Fatalf("version: %s %d, %v", vp.Tag, len(vp.Changes), err)
				}
			}
		})
		b.Run(fmt.Sprintf("promote/commits=%d", n), func(b *testing.B) {
			base, _ := e.branchHead(ctx, "staging")
			for b.Loop() {
				res, err := e.Promote(ctx, "staging", PromoteOptions{})
				if err != nil || res.Commit == "" {
					b.Fatalf("promote: %+v, %v", res, err)
				}
				b.StopTimer()
				if err := e.Repo.UpdateRef(ctx, "refs/heads/staging", base, res.Commit, "bench reset"); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}
