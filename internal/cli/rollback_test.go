package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ferry.dev/ferry/internal/scaffold"
	"ferry.dev/ferry/internal/testenv"
)

// TestRollbackRecordsTheTagsVersion: `ferry rollback staging --to v0.2.0`
// deploys a commit on staging whose nearest reachable tag is v0.1.0 (the
// v0.2.0 tag is not on staging's history); status, history and the API
// (the same verbs through --server) must say v0.2.0, the version whose
// tree runs.
func TestRollbackRecordsTheTagsVersion(t *testing.T) {
	testenv.GitIsolate(t)
	testenv.TerraformBin(t)
	cp := testenv.ControlPlaneFor(t)
	cp.KubeconfigAs(t, "ferry-local")
	dir := filepath.Join(t.TempDir(), "platform")
	repo, err := scaffold.Init(context.Background(), dir, false)
	if err != nil {
		t.Fatal(err)
	}
	// The agent below only serves the API: it must not deploy on its own.
	yaml := filepath.Join(dir, "ferry.yaml")
	b, _ := os.ReadFile(yaml)
	os.WriteFile(yaml, []byte(strings.ReplaceAll(string(b), "autoSync: true", "autoSync: false")), 0o644)
	testenv.GitRun(t, dir, "commit", "-q", "-am", "chore: no auto sync")
	for _, l := range repo.Lanes {
		if l != repo.Branch {
			testenv.GitRun(t, dir, "branch", "-f", l, "HEAD")
		}
	}
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Run(context.Background(), append(args, "--repo", dir), Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
		return code, out.String(), errb.String()
	}
	testenv.GitRun(t, dir, "checkout", "-q", "develop")
	testenv.GitCommitFile(t, dir, "NOTES.md", "v0.2.0 notes\n", "feat: notes")
	testenv.GitRun(t, dir, "tag", "-a", "-m", "v0.2.0", "v0.2.0")
	testenv.GitRun(t, dir, "checkout", "-q", "main")
	if got := testenv.GitRun(t, dir, "describe", "--tags", "--abbrev=0", "staging"); got != "v0.1.0" {
		t.Fatalf("fixture: staging's nearest tag is %q, want v0.1.0", got)
	}

	if code, out, errs := run("rollback", "staging", "--to", "v0.2.0"); code != ExitOK {
		t.Fatalf("rollback: exit %d\n%s\n%s", code, out, errs)
	}
	check := func(how string, run func(args ...string) (int, string, string)) {
		t.Helper()
		for _, verb := range [][]string{{"status", "staging", "-o", "json"}, {"history", "staging", "-o", "json"}} {
			code, out, errs := run(verb...)
			if code != ExitOK {
				t.Fatalf("%s %s: exit %d\n%s\n%s", how, verb[0], code, out, errs)
			}
			if !strings.Contains(out, `"version": "v0.2.0"`) || strings.Contains(out, `"version": "v0.1.0"`) {
				t.Errorf("%s %s does not say staging runs v0.2.0:\n%s", how, verb[0], out)
			}
		}
		if code, out, _ := run("history", "staging"); code != ExitOK || !strings.Contains(out, "v0.2.0") || strings.Contains(out, "v0.1.0") {
			t.Errorf("%s history (text) does not say v0.2.0:\n%s", how, out)
		}
	}
	check("cli", run)

	// The API reads the same records: ferry serve, a viewer token, --server.
	code, tok, errs := run("token", "create", "viewer", "--role", "viewer")
	if code != ExitOK {
		t.Fatalf("token create: exit %d\n%s", code, errs)
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(tok), 0o600); err != nil {
		t.Fatal(err)
	}
	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	ctx, cancel := context.WithCancel(context.Background())
	serr := &testenv.SyncBuffer{}
	exit := make(chan int, 1)
	go func() {
		exit <- Run(ctx, []string{"serve", "--repo", dir, "--listen", addr, "--poll-interval", "1h", "--no-watch"},
			Streams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: serr})
	}()
	defer func() {
		cancel()
		<-exit
	}()
	waitUntil(t, 30*time.Second, func() bool { return get("http://"+addr+"/readyz") == 200 }, "readyz: "+serr.String())
	check("api", func(args ...string) (int, string, string) {
		return run(append(args, "--server", "http://"+addr, "--token-file", tokenFile)...)
	})
}
