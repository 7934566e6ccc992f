package store_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"ferry.dev/ferry/internal/store"
)

// The test binary doubles as the other processes of the multi-process
// tests: TestMain runs runWriter or runDeployer when their variable is set.
const (
	writerEnv   = "FERRY_STORE_WRITER"   // "driver addr" of the store to write
	deployerEnv = "FERRY_STORE_DEPLOYER" // "driver addr" of the store to deploy into
)

// testProcesses runs 3 OS processes on one store. Each writes
// deployments outside any lock and, under a store lock, an "enter" and an
// "exit" event: if the lock ever let two processes in, their events would
// interleave.
func testProcesses(t *testing.T, driver, addr string) {
	const procs = 3
	cmds := make([]*exec.Cmd, procs)
	outs := make([]strings.Builder, procs)
	for i := range cmds {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^$")
		cmds[i].Env = append(os.Environ(), writerEnv+"="+driver+" "+addr, fmt.Sprintf("FERRY_STORE_WRITER_ID=w%d", i))
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("writer %d: %v\n%s", i, err, outs[i].String())
		}
	}
	s, err := store.Open(context.Background(), driver, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ds := must(s.Deployments(context.Background(), store.DeploymentFilter{Status: store.StatusSucceeded}))(t)
	if len(ds) != procs*writerRounds {
		t.Fatalf("%d succeeded deployments, want %d", len(ds), procs*writerRounds)
	}
	aborted := must(s.Deployments(context.Background(), store.DeploymentFilter{Status: store.StatusAborted}))(t)
	if len(aborted) != procs*writerRounds {
		t.Fatalf("%d aborted deployments, want %d", len(aborted), procs*writerRounds)
	}
	evs := must(s.Events(context.Background(), store.EventFilter{Kind: "enter"}))(t)
	evs = append(evs, must(s.Events(context.Background(), store.EventFilter{Kind: "exit"}))(t)...)
	sort.Slice(evs, func(i, j int) bool { return evs[i].ID > evs[j].ID })
	if len(evs) != 2*procs*writerRounds {
		t.Fatalf("%d events, want %d", len(evs), 2*procs*writerRounds)
	}
	// Oldest first: enter/exit pairs of one owner, never interleaved.
	for i := len(evs) - 1; i > 0; i -= 2 {
		enter, exit := evs[i], evs[i-1]
		if enter.Kind != "enter" || exit.Kind != "exit" || enter.Actor != exit.Actor {
			t.Fatalf("critical sections overlap: %s by %s then %s by %s", enter.Kind, enter.Actor, exit.Kind, exit.Actor)
		}
	}
}

const writerRounds = 25

// runWriter is the body of one writer process; it returns the exit code.
func runWriter(spec string) int {
	var driver, addr string
	_, err := fmt.Sscan(spec, &driver, &addr)
	if err == nil {
		err = writer(driver, addr, os.Getenv("FERRY_STORE_WRITER_ID"))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "writer:", err)
		return 1
	}
	return 0
}

func writer(driver, addr, me string) error {
	ctx := context.Background()
	s, err := store.Open(ctx, driver, addr) // processes race to migrate, too
	if err != nil {
		return err
	}
	defer s.Close()
	for i := range writerRounds {
		id, err := s.StartDeployment(ctx, store.Deployment{Env: me, Revision: fmt.Sprint(i), Actor: me})
		if err != nil {
			return err
		}
		if err := s.FinishDeployment(ctx, id, store.DeploymentResult{Status: store.StatusSucceeded}); err != nil {
			return err
		}
		// MarkAborted reads, then writes, in one transaction: without
		// BEGIN IMMEDIATE two processes upgrading their read locks fail
		// with "database is locked" instead of waiting.
		orphanEnv := fmt.Sprintf("orphan-%s-%d", me, i)
		if _, err := s.StartDeployment(ctx, store.Deployment{Env: orphanEnv, Revision: "r"}); err != nil {
			return err
		}
		if ids, err := s.MarkAborted(ctx, orphanEnv); err != nil || len(ids) != 1 {
			return fmt.Errorf("mark aborted %s: %v %v", orphanEnv, ids, err)
		}
		if err := critical(ctx, s, me); err != nil {
			return err
		}
	}
	return nil
}

// critical waits for the lock, then writes enter and exit events.
func critical(ctx context.Context, s store.Store, me string) error {
	deadline := time.Now().Add(time.Minute)
	for {
		l, err := s.AcquireLock(ctx, "critical", me, 30*time.Second)
		if errors.Is(err, store.ErrLocked) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
			continue
		}
		if err != nil {
			return err
		}
		for _, kind := range []string{"enter", "exit"} {
			if _, err := s.AppendEvent(ctx, store.Event{Kind: kind, Actor: me}); err != nil {
				return err
			}
		}
		return s.ReleaseLock(ctx, l)
	}
}

// runDeployer holds the prod lock, starts a deployment, says READY and
// waits to be killed: the process of a deployment that never finishes.
func runDeployer(spec string) int {
	var driver, addr string
	if _, err := fmt.Sscan(spec, &driver, &addr); err != nil {
		fmt.Fprintln(os.Stderr, "deployer:", err)
		return 1
	}
	ctx := context.Background()
	s, err := store.Open(ctx, driver, addr)
	if err == nil {
		_, err = s.AcquireLock(ctx, store.EnvLockName("prod"), "deployer", time.Minute)
	}
	var id int64
	if err == nil {
		id, err = s.StartDeployment(ctx, store.Deployment{Env: "prod", Revision: "r1", Actor: "deployer"})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "deployer:", err)
		return 1
	}
	fmt.Printf("READY %d\n", id)
	time.Sleep(5 * time.Minute)
	return 1
}

// testKilledDeployer kill -9s a deploying process and checks its deployment
// is marked aborted once its lock expires, and not before.
func testKilledDeployer(t *testing.T, driver, addr string) {
	ctx := context.Background()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), deployerEnv+"="+driver+" "+addr)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var id int64
	sc := bufio.NewScanner(out)
	for id == 0 && sc.Scan() {
		fmt.Sscanf(sc.Text(), "READY %d", &id)
	}
	if id == 0 {
		t.Fatalf("deployer did not start a deployment: %v", sc.Err())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	s, err := store.Open(ctx, driver, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ids := must(s.MarkAborted(ctx, "prod"))(t); len(ids) != 0 {
		t.Fatalf("aborted %v while the lock is still valid", ids)
	}
	// Another process whose clock is past the lock's expiry.
	later, err := store.Open(ctx, driver, addr, store.Options{Now: func() time.Time { return time.Now().Add(2 * time.Minute) }})
	if err != nil {
		t.Fatal(err)
	}
	defer later.Close()
	// The next deployer takes the expired lock before anyone cleans up.
	if _, err := later.AcquireLock(ctx, store.EnvLockName("prod"), "next", time.Minute); err != nil {
		t.Fatalf("the dead deployer's expired lock is not free: %v", err)
	}
	if ids := must(later.MarkAborted(ctx, ""))(t); len(ids) != 1 || ids[0] != id {
		t.Fatalf("MarkAborted after expiry = %v, want [%d]", ids, id)
	}
	d := must(s.Deployment(ctx, id))(t)
	if d.Status != store.StatusAborted || d.EndedAt.IsZero() {
		t.Fatalf("killed deployment = %+v, want aborted with an end time", d)
	}
}
