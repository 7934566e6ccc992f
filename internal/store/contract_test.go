package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"ferry.dev/ferry/internal/store"
)

// backend is one store implementation under the contract.
type backend struct {
	// fresh returns the address (file path or DSN) of a new, empty store.
	fresh func(t *testing.T) string
	// open opens the store at addr; the test closes it.
	open func(ctx context.Context, addr string, opts store.Options) (store.Store, error)
}

// clock is a fake store clock the tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

// start is deliberately not UTC and has nanoseconds: the store must
// return UTC, microsecond instants.
var start = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.FixedZone("CET", 3600))

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is what every contract case gets: a new store on a fake clock.
type fixture struct {
	ctx   context.Context
	s     store.Store
	clock *clock
	addr  string
	b     backend
}

func (b backend) fixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{ctx: context.Background(), clock: &clock{now: start}, addr: b.fresh(t), b: b}
	f.s = f.reopen(t)
	return f
}

// reopen opens another handle on the fixture's store, on the same clock.
func (f *fixture) reopen(t *testing.T) store.Store {
	t.Helper()
	s, err := f.b.open(f.ctx, f.addr, store.Options{Now: f.clock.Now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return s
}

// contractCases are the behaviours every Store must have.
var contractCases = []struct {
	name string
	run  func(t *testing.T, f *fixture)
}{
	{"check runs", testCheckRuns},
	{"check run not found", testCheckRunNotFound},
	{"check findings", testCheckFindings},
	{"promotion gates", testPromotionGates},
	{"deployment changes", testDeploymentChanges},
	{"promotions filter and order", testPromotions},
	{"deployment round trip", testDeploymentRoundTrip},
	{"deployment finish once", testFinishOnce},
	{"deployment finish races", testFinishRace},
	{"deployments filter and order", testDeployments},
	{"tallies", testTallies},
	{"lead times", testLeadTimes},
	{"deployment change", testDeploymentChange},
	{"dora histories", testDORA},
	{"dora window", testDORAWindow},
	{"events", testEvents},
	{"invalid arguments", testInvalid},
	{"lock contention", testLockContention},
	{"lock expiry and loss", testLockExpiry},
	{"lock renew", testLockRenew},
	{"lock release", testLockRelease},
	{"lock same owner", testLockSameOwner},
	{"lock race", testLockRace},
	{"mark aborted", testMarkAborted},
	{"mark aborted after takeover", testMarkAbortedTakeover},
	{"concurrent writers", testConcurrentWriters},
	{"reopen keeps data", testReopen},
	{"tokens", testTokens},
	{"tokens invalid", testTokensInvalid},
	{"locks list", testLocksList},
	{"paging", testPaging},
	{"batches", testBatches},
}

// runContract runs every contract case, each on a fresh store.
func runContract(t *testing.T, b backend) {
	for _, tc := range contractCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, b.fixture(t))
		})
	}
}

// must(call())(t) fails t when call returned an error, else gives its value.
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}

// wantUTC checks an instant is UTC and microsecond-precise.
func wantUTC(t *testing.T, what string, ts time.Time) {
	t.Helper()
	if ts.Location() != time.UTC {
		t.Errorf("%s: location %v, want UTC", what, ts.Location())
	}
	if ts.Nanosecond()%1000 != 0 {
		t.Errorf("%s: %v has sub-microsecond digits", what, ts)
	}
}

// norm is what the store makes of an instant.
func norm(ts time.Time) time.Time { return ts.UTC().Truncate(time.Microsecond) }
