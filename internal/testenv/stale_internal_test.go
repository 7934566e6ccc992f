package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

func TestSweepStale(t *testing.T) {
	t.Parallel()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	alive := exec.Command("sleep", "60")
	if err := alive.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = alive.Process.Kill(); _ = alive.Wait() }()

	parent := t.TempDir()
	dirs := map[string]bool{ // name -> should survive
		"ferry-etcd-" + strconv.Itoa(dead.Process.Pid) + "-123":  false,
		"ferry-etcd-" + strconv.Itoa(alive.Process.Pid) + "-123": true,
		"ferry-etcd-" + strconv.Itoa(os.Getpid()) + "-123":       true,
		"ferry-etcd-123456789":                                   true, // no owner recorded
		"ferry-etcd-x-1":                                         true,
		"ferry-testenv-" + strconv.Itoa(dead.Process.Pid) + "-1": true, // other kind
	}
	for name := range dirs {
		if err := os.MkdirAll(filepath.Join(parent, name, "member"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sweepStale(parent, "etcd")
	for name, survive := range dirs {
		_, err := os.Stat(filepath.Join(parent, name))
		if exists := err == nil; exists != survive {
			t.Errorf("%s: exists=%v, want %v", name, exists, survive)
		}
	}
}

func TestOwnedTempDirIsSwept(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	d, err := ownedTempDir(parent, "etcd")
	if err != nil {
		t.Fatal(err)
	}
	pid, ok := ownerPID(filepath.Base(d)[len("ferry-etcd-"):])
	if !ok || pid != os.Getpid() {
		t.Fatalf("ownedTempDir %s: owner %d, %v; want this process %d", d, pid, ok, os.Getpid())
	}
}
