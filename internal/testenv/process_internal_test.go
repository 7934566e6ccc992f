package testenv

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"
)

// TestPdeathsigHelper starts a long sleep and exits without stopping it; run
// by TestChildDiesWithParent in a subprocess.
func TestPdeathsigHelper(t *testing.T) {
	if os.Getenv("TESTENV_PDEATHSIG_HELPER") != "1" {
		return
	}
	p, err := startProcess("sleep", "sleep", []string{"300"}, filepath.Join(t.TempDir(), "sleep.log"), os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("PID " + strconv.Itoa(p.cmd.Process.Pid) + "\n")
	os.Exit(0) // no cleanup: the kernel must kill the child
}

func TestChildDiesWithParent(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestPdeathsigHelper$")
	cmd.Env = append(os.Environ(), "TESTENV_PDEATHSIG_HELPER=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if s, ok := strings.CutPrefix(sc.Text(), "PID "); ok {
			pid, _ = strconv.Atoi(s)
		}
	}
	_ = cmd.Wait()
	if pid == 0 {
		t.Fatal("helper printed no child pid")
	}
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) != syscall.ESRCH {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("child %d outlived its parent", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestChildSurvivesThreadExit starts a child from a goroutine whose thread
// the runtime then ends: with Pdeathsig tied to that thread, the child would
// get SIGKILL although the test process lives on.
func TestChildSurvivesThreadExit(t *testing.T) {
	t.Parallel()
	// Several rounds: a goroutine that lands on the main thread wedges it
	// instead of ending it, so one round alone may not end a thread.
	var procs []*process
	for range 4 {
		var (
			p   *process
			err error
		)
		done := make(chan struct{})
		go func() {
			runtime.LockOSThread() // exits locked: the runtime ends this thread
			p, err = startProcess("sleep", "sleep", []string{"60"}, filepath.Join(t.TempDir(), "sleep.log"), os.Environ())
			close(done)
		}()
		<-done
		if err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
	}
	time.Sleep(500 * time.Millisecond)
	for _, p := range procs {
		if err := p.exited(); err != nil {
			t.Errorf("child died with the thread that started it: %v", err)
		}
		p.stop(time.Second)
	}
}

func TestProcessExitCarriesLogTail(t *testing.T) {
	t.Parallel()
	log := filepath.Join(t.TempDir(), "p.log")
	p, err := startProcess("sh", "sh", []string{"-c", "for i in $(seq 1 40); do echo line $i; done; exit 7"}, log, os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	<-p.done
	err = p.exited()
	pe, ok := err.(*ProcessExitedError)
	if !ok {
		t.Fatalf("exited() = %v, want *ProcessExitedError", err)
	}
	if !strings.Contains(pe.LogTail, "line 40") || strings.Contains(pe.LogTail, "line 15\n") {
		t.Fatalf("log tail should hold the last 25 lines only:\n%s", pe.LogTail)
	}
	if !strings.Contains(err.Error(), "exit status 7") {
		t.Fatalf("error lacks the exit status: %v", err)
	}
}

func TestNamespaceName(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, test, prefix string }{
		{"plain", "TestSync", "testsync-"},
		{"subtest", "TestSync/staging_env", "testsync-staging-env-"},
		{"symbols only", "Test/!!!", "test-"},
		{"empty", "", "test-"},
		{"long", strings.Repeat("TestVeryLongName", 10), "testverylongnametestverylongnametestverylongnamete-"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := namespaceName(tc.test)
			if !strings.HasPrefix(got, tc.prefix) || len(got) != len(tc.prefix)+6 {
				t.Fatalf("namespaceName(%q) = %q, want %q + 6 chars", tc.test, got, tc.prefix)
			}
			if errs := validation.IsDNS1123Label(got); len(errs) > 0 {
				t.Fatalf("namespaceName(%q) = %q: %v", tc.test, got, errs)
			}
		})
	}
}

func FuzzNamespaceName(f *testing.F) {
	for _, s := range []string{"TestX", "Test/a b", "", "---", "ÄÖÜ/ß", strings.Repeat("x-", 60)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, test string) {
		got := namespaceName(test)
		if errs := validation.IsDNS1123Label(got); len(errs) > 0 {
			t.Fatalf("namespaceName(%q) = %q: %v", test, got, errs)
		}
	})
}
