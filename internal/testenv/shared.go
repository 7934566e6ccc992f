package testenv

import (
	"context"
	"os"
	"sync"
	"testing"
)

var shared struct {
	once sync.Once
	cp   *ControlPlane
	err  error
}

// ControlPlaneFor returns the control plane shared by every test of this test
// process, starting it on first use. A missing tool skips the test (fails it
// when CI=true); a plane that fails to start fails every test that asks for
// it. Packages that call it must use Main in TestMain, which stops the plane.
func ControlPlaneFor(t testing.TB) *ControlPlane {
	t.Helper()
	for _, tool := range planeTools {
		Require(t, tool)
	}
	if _, err := kwokStageFiles(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("testenv: %v (CI=true: missing tools fail instead of skipping)", err)
		}
		t.Skipf("testenv: %v", err)
	}
	shared.once.Do(func() {
		shared.cp, shared.err = StartControlPlane(context.Background(), Options{})
	})
	if shared.err != nil {
		t.Fatalf("testenv: %v", shared.err)
	}
	return shared.cp
}

// Main runs the package's tests, then stops what they shared: the control
// plane and PostgreSQL. Use it as: func TestMain(m *testing.M) { testenv.Main(m) }.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run runs the tests of m, then stops what they shared, and returns the exit
// code without exiting. It is for a TestMain that hands m to another runner
// (testscript.Main) wrapped in a type whose Run method calls this.
func Run(m interface{ Run() int }) int {
	code := m.Run()
	if shared.cp != nil {
		shared.cp.Stop()
	}
	PostgresStop()
	if ferryBin.dir != "" {
		_ = os.RemoveAll(ferryBin.dir)
	}
	return code
}
