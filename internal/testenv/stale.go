package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// A test binary that is killed (go test's -timeout, ^C, SIGKILL) takes its
// plane's processes along (Pdeathsig) but cannot remove their directories.
// So every directory the plane creates is named after the creating process,
// ferry-<kind>-<pid>-<random>, and each start removes those whose process is
// gone: an etcd in /dev/shm holds memory until someone does.

// ownedTempDir makes a directory under parent named for this process.
func ownedTempDir(parent, kind string) (string, error) {
	return os.MkdirTemp(parent, fmt.Sprintf("ferry-%s-%d-", kind, os.Getpid()))
}

// sweepStale removes parent/ferry-<kind>-<pid>-* whose process has exited.
func sweepStale(parent, kind string) {
	prefix := "ferry-" + kind + "-"
	matches, _ := filepath.Glob(filepath.Join(parent, prefix+"*"))
	for _, m := range matches {
		pid, ok := ownerPID(strings.TrimPrefix(filepath.Base(m), prefix))
		if !ok || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			_ = os.RemoveAll(m)
		}
	}
}

// ownerPID parses "<pid>-<random>".
func ownerPID(rest string) (int, bool) {
	s, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(s)
	return pid, err == nil && pid > 0
}
