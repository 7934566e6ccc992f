package store_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"ferry.dev/ferry/internal/store"
)

func testCheckRuns(t *testing.T, f *fixture) {
	// Fractional seconds of different widths: text ordering of
	// RFC3339Nano would put .1 before .05; the store must not.
	older := time.Date(2026, 3, 1, 10, 0, 0, 50_000_000, time.UTC)
	newer := time.Date(2026, 3, 1, 10, 0, 0, 100_000_000, time.UTC)
	in := store.CheckRun{Revision: "abc", Env: "staging", Passed: false,
		Counts: map[string]int{"HIGH": 2, "LOW": 5}, Summary: "2 high", StartedAt: newer, EndedAt: newer.Add(time.Second)}
	id := must(f.s.RecordCheckRun(f.ctx, in))(t)
	must(f.s.RecordCheckRun(f.ctx, store.CheckRun{Revision: "abc", Passed: true, StartedAt: older, EndedAt: older}))(t)
	must(f.s.RecordCheckRun(f.ctx, store.CheckRun{Revision: "other", Passed: true}))(t)

	got := must(f.s.CheckRun(f.ctx, id))(t)
	in.ID = id
	if !reflect.DeepEqual(got, in) {
		t.Fatalf("CheckRun = %+v, want %+v", got, in)
	}
	latest := must(f.s.LatestCheckRun(f.ctx, "abc"))(t)
	if latest.ID != id {
		t.Fatalf("LatestCheckRun = %d, want %d (newest StartedAt)", latest.ID, id)
	}
	dflt := must(f.s.LatestCheckRun(f.ctx, "other"))(t)
	if !dflt.StartedAt.Equal(norm(start)) || !dflt.EndedAt.Equal(norm(start)) {
		t.Fatalf("zero times = %v/%v, want the clock %v", dflt.StartedAt, dflt.EndedAt, norm(start))
	}
	if dflt.Counts != nil && len(dflt.Counts) != 0 {
		t.Fatalf("nil counts came back as %v", dflt.Counts)
	}
	wantUTC(t, "StartedAt", dflt.StartedAt)
	wantUTC(t, "EndedAt", got.EndedAt)
}

func testCheckRunNotFound(t *testing.T, f *fixture) {
	_, err := f.s.CheckRun(f.ctx, 4242)
	wantErr(t, err, store.ErrNotFound)
	_, err = f.s.LatestCheckRun(f.ctx, "nope")
	wantErr(t, err, store.ErrNotFound)
	_, err = f.s.Deployment(f.ctx, 4242)
	wantErr(t, err, store.ErrNotFound)
}

func testPromotions(t *testing.T, f *fixture) {
	base := start.Add(-time.Hour)
	ps := []store.Promotion{
		{Kind: "promote", From: "develop", To: "staging", Revision: "r1", Commit: "c1", Actor: "ana", CreatedAt: base},
		{Kind: "promote", From: "staging", To: "main", Revision: "r1", Commit: "c2", Actor: "ana",
			Evidence: []string{"check-run:1", "deployment:7"}, Override: "incident 12", CreatedAt: base.Add(2 * time.Minute)},
		{Kind: "release", From: "main", To: "release", Revision: "r2", Commit: "c3", Version: "v1.2.0", Actor: "bo",
			CreatedAt: base.Add(time.Minute)},
	}
	for i := range ps {
		ps[i].ID = must(f.s.RecordPromotion(f.ctx, ps[i]))(t)
		ps[i].CreatedAt = norm(ps[i].CreatedAt)
	}
	cases := []struct {
		name   string
		filter store.PromotionFilter
		want   []store.Promotion
	}{
		{"all newest first", store.PromotionFilter{}, []store.Promotion{ps[1], ps[2], ps[0]}},
		{"kind", store.PromotionFilter{Kind: "promote"}, []store.Promotion{ps[1], ps[0]}},
		{"to", store.PromotionFilter{To: "release"}, []store.Promotion{ps[2]}},
		{"kind and to", store.PromotionFilter{Kind: "release", To: "staging"}, nil},
		{"limit", store.PromotionFilter{Limit: 2}, []store.Promotion{ps[1], ps[2]}},
	}
	for _, tc := range cases {
		got := must(f.s.Promotions(f.ctx, tc.filter))(t)
		if len(got) == 0 && len(tc.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: Promotions = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func testEvents(t *testing.T, f *fixture) {
	data := `{"z": 1,  "a": [true, null]}` // order and spacing must survive
	es := []store.Event{
		{Kind: "promotion", Env: "staging", Actor: "ana", Message: "promoted r1", Data: data},
		{Kind: "drift", Env: "production", Message: "drift in web"},
		{Kind: "promotion", Env: "production", Actor: "bo", Message: "promoted r2"},
	}
	for i := range es {
		f.clock.Advance(time.Minute)
		es[i].ID = must(f.s.AppendEvent(f.ctx, es[i]))(t)
		es[i].Time = norm(f.clock.Now())
	}
	cases := []struct {
		name   string
		filter store.EventFilter
		want   []store.Event
	}{
		{"all newest first", store.EventFilter{}, []store.Event{es[2], es[1], es[0]}},
		{"kind", store.EventFilter{Kind: "promotion"}, []store.Event{es[2], es[0]}},
		{"env", store.EventFilter{Env: "production"}, []store.Event{es[2], es[1]}},
		{"since is inclusive", store.EventFilter{Since: es[1].Time}, []store.Event{es[2], es[1]}},
		{"since in another zone", store.EventFilter{Since: es[1].Time.In(time.FixedZone("X", -7*3600))},
			[]store.Event{es[2], es[1]}},
		{"limit", store.EventFilter{Kind: "promotion", Limit: 1}, []store.Event{es[2]}},
	}
	for _, tc := range cases {
		got := must(f.s.Events(f.ctx, tc.filter))(t)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: Events = %+v, want %+v", tc.name, got, tc.want)
		}
	}
	for _, e := range must(f.s.Events(f.ctx, store.EventFilter{}))(t) {
		wantUTC(t, "event time", e.Time)
	}
}

func testInvalid(t *testing.T, f *fixture) {
	cases := []struct {
		name string
		err  func() error
	}{
		{"check run without revision", func() error { _, err := f.s.RecordCheckRun(f.ctx, store.CheckRun{}); return err }},
		{"promotion without to", func() error {
			_, err := f.s.RecordPromotion(f.ctx, store.Promotion{Kind: "promote"})
			return err
		}},
		{"deployment without env", func() error {
			_, err := f.s.StartDeployment(f.ctx, store.Deployment{Revision: "r"})
			return err
		}},
		{"event without kind", func() error { _, err := f.s.AppendEvent(f.ctx, store.Event{Message: "m"}); return err }},
		{"event data not JSON", func() error {
			_, err := f.s.AppendEvent(f.ctx, store.Event{Kind: "k", Data: "{nope"})
			return err
		}},
		{"lock without owner", func() error { _, err := f.s.AcquireLock(f.ctx, "l", "", time.Minute); return err }},
		{"lock with zero ttl", func() error { _, err := f.s.AcquireLock(f.ctx, "l", "o", 0); return err }},
		{"finish as running", func() error {
			return f.s.FinishDeployment(f.ctx, 1, store.DeploymentResult{Status: store.StatusRunning})
		}},
	}
	for _, tc := range cases {
		if err := tc.err(); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: error = %v, want ErrInvalid", tc.name, err)
		}
	}
	if evs := must(f.s.Events(f.ctx, store.EventFilter{}))(t); len(evs) != 0 {
		t.Errorf("refused writes left %d events", len(evs))
	}
}

func testReopen(t *testing.T, f *fixture) {
	id := must(f.s.AppendEvent(f.ctx, store.Event{Kind: "k", Message: "written by the first handle"}))(t)
	other := f.reopen(t) // migrations run again: must be a no-op
	evs := must(other.Events(f.ctx, store.EventFilter{}))(t)
	if len(evs) != 1 || evs[0].ID != id {
		t.Fatalf("second handle sees %+v, want event %d", evs, id)
	}
	if _, err := other.AcquireLock(f.ctx, "shared", "b", time.Minute); err != nil {
		t.Fatal(err)
	}
	_, err := f.s.AcquireLock(f.ctx, "shared", "a", time.Minute)
	wantErr(t, err, store.ErrLocked)
}
