package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// TestMain registers the in-process ferry binary for the testscript
// scenarios: a script's `ferry …` runs this test binary as ferry. In the
// top-level run, testscript calls sharedCleanup.Run, which runs the tests
// and then stops the control plane and PostgreSQL they shared.
func TestMain(m *testing.M) {
	testscript.Main(sharedCleanup{m}, map[string]func(){
		"ferry": func() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// sharedCleanup runs the package's tests through testenv.Run.
type sharedCleanup struct{ m *testing.M }

func (s sharedCleanup) Run() int { return testenv.Run(s.m) }

func TestScripts(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is required: install it (apt-get install git)")
	}
	testscript.Run(t, testscript.Params{
		Dir:   filepath.Join("testdata", "script"),
		Setup: scriptSetup,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"edit":              cmdEdit,
			"gitrev":            cmdGitRev,
			"record-check":      cmdRecordCheck,
			"record-deployment": cmdRecordDeployment,
		},
	})
}

// scriptSetup gives every script an isolated Git identity and config.
func scriptSetup(env *testscript.Env) error {
	home := filepath.Join(env.WorkDir, ".home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return err
	}
	for k, v := range map[string]string{
		"HOME":                home,
		"XDG_CONFIG_HOME":     filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME":     "Test Dev",
		"GIT_AUTHOR_EMAIL":    "dev@example.test",
		"GIT_COMMITTER_NAME":  "Test Dev",
		"GIT_COMMITTER_EMAIL": "dev@example.test",
		"LC_ALL":              "C",
		"FERRY_STATE":         filepath.Join(env.WorkDir, "state", "state.db"),
	} {
		env.Setenv(k, v)
	}
	return nil
}

// edit FILE OLD NEW replaces every OLD in FILE with NEW.
func cmdEdit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: edit FILE OLD NEW")
	}
	path := ts.MkAbs(args[0])
	b, err := os.ReadFile(path)
	ts.Check(err)
	if !strings.Contains(string(b), args[1]) {
		ts.Fatalf("edit: %q not found in %s", args[1], args[0])
	}
	ts.Check(os.WriteFile(path, []byte(strings.ReplaceAll(string(b), args[1], args[2])), 0o644))
}

// gitrev VAR REV sets $VAR to the commit REV names in the current repository.
func cmdGitRev(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: gitrev VAR REV")
	}
	ts.Setenv(args[0], resolveRev(ts, args[1]))
}

func resolveRev(ts *testscript.TestScript, rev string) string {
	cmd := exec.Command("git", "rev-parse", "--verify", "--end-of-options", rev+"^{commit}")
	cmd.Dir = ts.MkAbs(".")
	out, err := cmd.Output()
	if err != nil {
		ts.Fatalf("resolve %s: %v", rev, err)
	}
	return strings.TrimSpace(string(out))
}

// scriptStore opens the store of the platform in the current directory the
// way ferry does, expanding ${VAR} from the script's environment.
func scriptStore(ts *testscript.TestScript) store.Store {
	p, err := platform.Load(ts.MkAbs("."))
	ts.Check(err)
	p.Spec.Store.DSN = os.Expand(p.Spec.Store.DSN, ts.Getenv)
	st, err := app.OpenStore(context.Background(), p)
	ts.Check(err)
	return st
}

// record-check REV [failed] records a check run, standing in for
// `ferry validate` (a test seam: the check pipeline is another package's).
func cmdRecordCheck(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: record-check REV [failed]")
	}
	rev := resolveRev(ts, args[0])
	st := scriptStore(ts)
	defer st.Close()
	passed := len(args) == 1
	id, err := st.RecordCheckRun(context.Background(), store.CheckRun{Revision: rev, Passed: passed,
		Summary: "recorded by the test script", StartedAt: time.Now(), EndedAt: time.Now()})
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "check run %d on %s passed=%v\n", id, rev[:12], passed)
}

// record-deployment ENV REV [unhealthy|unverified] records a finished
// deployment, standing in for the deploy engine (a test seam).
func cmdRecordDeployment(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: record-deployment ENV REV [unhealthy|unverified]")
	}
	rev := resolveRev(ts, args[1])
	healthy, verified := true, true
	if len(args) == 3 {
		healthy, verified = args[2] != "unhealthy", args[2] != "unverified" && args[2] != "unhealthy"
	}
	st := scriptStore(ts)
	defer st.Close()
	ctx := context.Background()
	id, err := st.StartDeployment(ctx, store.Deployment{Env: args[0], Revision: rev, Status: store.StatusRunning, Actor: "test"})
	ts.Check(err)
	ts.Check(st.FinishDeployment(ctx, id, store.DeploymentResult{Status: store.StatusSucceeded,
		Healthy: healthy, Verified: verified, Summary: "recorded by the test script", EndedAt: time.Now()}))
	fmt.Fprintf(ts.Stdout(), "deployment %d of %s at %s\n", id, args[0], rev[:12])
}
