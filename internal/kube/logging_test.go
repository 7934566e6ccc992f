package kube

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// ctrlLogWarning is what controller-runtime prints, with a goroutine stack,
// when it logs 30s after start and nobody called its log.SetLogger.
const ctrlLogWarning = "log.SetLogger"

// TestConnectSilencesControllerRuntime runs a child test process that logs
// through controller-runtime more than 30 seconds after start, once after
// Connect and once without (the control, proving the warning would show).
func TestConnectSilencesControllerRuntime(t *testing.T) {
	t.Parallel()
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kc, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: not-a-secret}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, mode  string
		wantWarning bool
	}{
		{"after Connect", "connect", false},
		{"control without Connect", "none", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestCtrlLogHelper$")
			cmd.Env = append(os.Environ(), "FERRY_CTRLLOG_HELPER="+tc.mode, "FERRY_CTRLLOG_KUBECONFIG="+kc)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("helper: %v\n%s", err, stderr.String())
			}
			if got := strings.Contains(stderr.String(), ctrlLogWarning); got != tc.wantWarning {
				t.Fatalf("stderr has %q = %v, want %v; stderr:\n%s", ctrlLogWarning, got, tc.wantWarning, stderr.String())
			}
		})
	}
}

// TestCtrlLogHelper is the child of TestConnectSilencesControllerRuntime.
func TestCtrlLogHelper(t *testing.T) {
	mode := os.Getenv("FERRY_CTRLLOG_HELPER")
	if mode == "" {
		t.Skip("helper process for TestConnectSilencesControllerRuntime")
	}
	if mode == "connect" {
		if _, err := Connect(Options{Kubeconfig: os.Getenv("FERRY_CTRLLOG_KUBECONFIG")}); err != nil {
			t.Fatal(err)
		}
	}
	// controller-runtime only warns once its package is 30s old.
	time.Sleep(31 * time.Second)
	ctrllog.Log.Info("probe")
	ctrllog.Log.WithName("ssa").Error(nil, "probe error")
}
