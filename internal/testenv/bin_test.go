package testenv_test

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/testenv"
)

func TestFreePortIsBindable(t *testing.T) {
	t.Parallel()
	p, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
	if err != nil {
		t.Fatalf("FreePort gave %d, which cannot be bound: %v", p, err)
	}
	l.Close()
}

func TestBinDirHonoursEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(testenv.EnvBin, dir)
	got, err := testenv.BinDir()
	if err != nil || got != dir {
		t.Fatalf("BinDir() = %q, %v; want %q", got, err, dir)
	}
}

func TestBinDirDefaultsToRepoBin(t *testing.T) {
	t.Setenv(testenv.EnvBin, "")
	got, err := testenv.BinDir()
	if err != nil {
		t.Fatal(err)
	}
	// The tests run in internal/testenv; the repo root is two levels up.
	want, _ := filepath.Abs(filepath.Join("..", "..", "bin"))
	if got != want {
		t.Fatalf("BinDir() = %q, want %q", got, want)
	}
}

func TestLookToolFindsBinDirFirst(t *testing.T) {
	dir := t.TempDir()
	tool := filepath.Join(dir, "git")
	if err := os.WriteFile(tool, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(testenv.EnvBin, dir)
	got, err := testenv.LookTool("git")
	if err != nil || got != tool {
		t.Fatalf("LookTool(git) = %q, %v; want %q", got, err, tool)
	}
	_, err = testenv.LookTool("ferry-no-such-tool")
	var nf *testenv.ToolNotFoundError
	if !errors.As(err, &nf) || !strings.Contains(nf.Hint(), "make setup") {
		t.Fatalf("LookTool(missing) = %v; want ToolNotFoundError with a make setup hint", err)
	}
}

// TestRequireHelper is run by TestRequire in a subprocess; alone it does nothing.
func TestRequireHelper(t *testing.T) {
	if os.Getenv("TESTENV_REQUIRE_HELPER") != "1" {
		return
	}
	testenv.Require(t, "ferry-no-such-tool")
	t.Log("REQUIRE RETURNED")
}

func TestRequire(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		ci       string
		wantFail bool
		want     string
	}{
		{name: "skips locally", ci: "", wantFail: false, want: "--- SKIP: TestRequireHelper"},
		{name: "skips when CI is not exactly true", ci: "1", wantFail: false, want: "--- SKIP: TestRequireHelper"},
		{name: "fails on CI", ci: "true", wantFail: true, want: "--- FAIL: TestRequireHelper"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestRequireHelper$", "-test.v")
			cmd.Env = append(os.Environ(), "TESTENV_REQUIRE_HELPER=1", "CI="+tc.ci,
				testenv.EnvBin+"="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tc.wantFail {
				t.Fatalf("helper failed=%v (err %v), want %v:\n%s", failed, err, tc.wantFail, out)
			}
			for _, want := range []string{tc.want, "ferry-no-such-tool", "make setup"} {
				if !strings.Contains(string(out), want) {
					t.Errorf("helper output lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(string(out), "REQUIRE RETURNED") {
				t.Errorf("Require returned for a missing tool:\n%s", out)
			}
		})
	}
}
