package flow

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"ferry.dev/ferry/internal/store"
)

// A run that is about to publish a commit holds the store lock
// "ferry-inflight:<commit>" until it has recorded it, so a concurrent run
// that sees the commit on a lane does not record it a second time while
// recovering records of killed runs.
const inflightTTL = 2 * time.Minute

func inflightLock(commit string) string { return "ferry-inflight:" + commit }

// processOwner names this process for store locks: host:pid.
func processOwner() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}

// inflight marks commit as being published by this run until
// releaseInflight (deferred by every operation, after it has recorded).
// Best effort: a store that cannot lock still lets the run proceed (the
// record dedupe catches the rest).
func (e *Engine) inflight(ctx context.Context, commit string) {
	l, err := e.Store.AcquireLock(ctx, inflightLock(commit), processOwner(), inflightTTL)
	if err == nil {
		e.held = append(e.held, l)
	}
}

func (e *Engine) releaseInflight() {
	for _, l := range e.held {
		e.Store.ReleaseLock(context.Background(), l)
	}
	e.held = nil
}

// claimRecovery reports whether no live run is publishing commit, taking the
// mark for the caller; release it with the returned func.
func (e *Engine) claimRecovery(ctx context.Context, commit string) (bool, func()) {
	l, err := e.Store.AcquireLock(ctx, inflightLock(commit), processOwner(), 30*time.Second)
	if err == nil {
		return true, func() { e.Store.ReleaseLock(context.Background(), l) }
	}
	var le *store.LockedError
	if errors.As(err, &le) && ownerDead(le.Owner) {
		return true, func() {}
	}
	return false, func() {}
}

// ownerDead reports whether a host:pid owner is a process on this host that
// no longer runs.
func ownerDead(owner string) bool {
	host, pidStr, ok := strings.Cut(owner, ":")
	me, _ := os.Hostname()
	if !ok || host != me {
		return false
	}
	pid, err := strconv.Atoi(pidStr)
	if err != nil || pid <= 0 {
		return false
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
