package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"ferry.dev/ferry/internal/store"
)

func testLockContention(t *testing.T, f *fixture) {
	a := must(f.s.AcquireLock(f.ctx, "env/prod", "alice", time.Minute))(t)
	if a.Token == "" || a.Owner != "alice" || !a.ExpiresAt.Equal(norm(start.Add(time.Minute))) {
		t.Fatalf("lock = %+v", a)
	}
	wantUTC(t, "ExpiresAt", a.ExpiresAt)
	_, err := f.s.AcquireLock(f.ctx, "env/prod", "bob", time.Minute)
	wantErr(t, err, store.ErrLocked)
	var le *store.LockedError
	if !errors.As(err, &le) || le.Owner != "alice" || !le.ExpiresAt.Equal(a.ExpiresAt) || le.Name != "env/prod" {
		t.Fatalf("LockedError = %+v, want alice until %v", le, a.ExpiresAt)
	}
	other := must(f.s.AcquireLock(f.ctx, "env/dev", "bob", time.Minute))(t)
	if other.Token == a.Token {
		t.Fatal("two acquisitions share a token")
	}
}

func testLockExpiry(t *testing.T, f *fixture) {
	a := must(f.s.AcquireLock(f.ctx, "l", "alice", time.Minute))(t)
	f.clock.Advance(59 * time.Second)
	_, err := f.s.AcquireLock(f.ctx, "l", "bob", time.Minute)
	wantErr(t, err, store.ErrLocked)
	f.clock.Advance(time.Second) // exactly at expiry: free
	b := must(f.s.AcquireLock(f.ctx, "l", "bob", time.Minute))(t)
	_, err = f.s.RenewLock(f.ctx, a, time.Minute)
	wantErr(t, err, store.ErrLockLost)
	if err := f.s.ReleaseLock(f.ctx, a); err != nil {
		t.Fatalf("releasing a lost lock: %v", err)
	}
	_, err = f.s.AcquireLock(f.ctx, "l", "carol", time.Minute)
	wantErr(t, err, store.ErrLocked) // alice's release did not free bob's lock
	must(f.s.RenewLock(f.ctx, b, time.Minute))(t)
}

func testLockRenew(t *testing.T, f *fixture) {
	a := must(f.s.AcquireLock(f.ctx, "l", "alice", time.Minute))(t)
	f.clock.Advance(50 * time.Second)
	r := must(f.s.RenewLock(f.ctx, a, time.Minute))(t)
	if !r.ExpiresAt.Equal(norm(f.clock.Now().Add(time.Minute))) || r.Token != a.Token {
		t.Fatalf("renewed = %+v", r)
	}
	f.clock.Advance(50 * time.Second) // past the first expiry, before the renewed one
	_, err := f.s.AcquireLock(f.ctx, "l", "bob", time.Minute)
	wantErr(t, err, store.ErrLocked)
	f.clock.Advance(11 * time.Second) // renewed lock expired, nobody took it
	_, err = f.s.RenewLock(f.ctx, r, time.Minute)
	wantErr(t, err, store.ErrLockLost)
	_, err = f.s.RenewLock(f.ctx, store.Lock{Name: "never", Token: "x"}, time.Minute)
	wantErr(t, err, store.ErrLockLost)
}

func testLockRelease(t *testing.T, f *fixture) {
	a := must(f.s.AcquireLock(f.ctx, "l", "alice", time.Hour))(t)
	if err := f.s.ReleaseLock(f.ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := f.s.ReleaseLock(f.ctx, a); err != nil {
		t.Fatalf("second release: %v", err)
	}
	b := must(f.s.AcquireLock(f.ctx, "l", "bob", time.Hour))(t)
	_, err := f.s.RenewLock(f.ctx, a, time.Hour)
	wantErr(t, err, store.ErrLockLost)
	must(f.s.RenewLock(f.ctx, b, time.Hour))(t)
}

func testLockSameOwner(t *testing.T, f *fixture) {
	a := must(f.s.AcquireLock(f.ctx, "l", "alice", time.Minute))(t)
	_, err := f.s.AcquireLock(f.ctx, "l", "alice", time.Minute)
	wantErr(t, err, store.ErrLocked) // not re-entrant
	r := must(f.s.RenewLock(f.ctx, a, time.Minute))(t)
	if r.Token != a.Token {
		t.Fatal("renewal changed the token")
	}
}

// testLockRace: N owners race for one free lock; exactly one gets it.
func testLockRace(t *testing.T, f *fixture) {
	const n = 10
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = f.s.AcquireLock(f.ctx, "race", fmt.Sprint("owner-", i), time.Minute)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrLocked):
			t.Errorf("acquire: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d owners hold the lock, want 1", won)
	}
}
