package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/store"
)

// BenchmarkEnvironmentsLoad: GET /api/v1/environments with 10,000
// deployments and 50,000 events in the store, at 200 requests/s for 30 s
// (FERRY_BENCH_DURATION overrides) from a bounded open-loop load
// generator on loopback, on SQLite and PostgreSQL; reports p50/p90/p99/max
// latency (the bar is p99 ≤ 20 ms). Run it with make bench-api, or:
// go test -tags kustomize_disable_go_plugin_support -run '^$' -bench EnvironmentsLoad -benchtime 1x ./internal/server/
func BenchmarkEnvironmentsLoad(b *testing.B) {
	d := 30 * time.Second
	if v := os.Getenv("FERRY_BENCH_DURATION"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			b.Fatal(err)
		}
	}
	for _, be := range []struct {
		name string
		pg   bool
	}{{"sqlite", false}, {"postgres", true}} {
		b.Run(be.name, func(b *testing.B) {
			f := newAPIFixture(b, fixtureOptions{postgres: be.pg})
			began := time.Now()
			seedStore(b, f.st, 10_000, 50_000)
			b.Logf("%s: seeded 10,000 deployments and 50,000 events in %v", be.name, time.Since(began).Round(time.Second))
			url, tok := f.srv.URL+"/api/v1/environments", f.tokens["viewer"]
			for range 50 { // warm the connection pool, the snapshot and the page cache
				if _, err := timedGet(http.DefaultClient, url, tok); err != nil {
					b.Fatal(err)
				}
			}
			// The cost of one request alone: 1,000 in a row, one at a time.
			var seq loadResult
			for range 1000 {
				lat, err := timedGet(http.DefaultClient, url, tok)
				if err != nil {
					b.Fatal(err)
				}
				seq.lat = append(seq.lat, lat)
			}
			b.ReportMetric(seq.quantile(0.99), "alone-p99-ms")
			b.Logf("%s: one at a time: p50 %.2f ms, p99 %.2f ms", be.name, seq.quantile(0.5), seq.quantile(0.99))
			b.ResetTimer()
			for range b.N {
				load0 := loadAvg()
				r := load(url, tok, 200, d, 32)
				b.ReportMetric(r.quantile(0.50), "p50-ms")
				b.ReportMetric(r.quantile(0.90), "p90-ms")
				b.ReportMetric(r.quantile(0.99), "p99-ms")
				b.ReportMetric(r.quantile(1), "max-ms")
				b.ReportMetric(float64(len(r.lat))/d.Seconds(), "req/s")
				b.ReportMetric(float64(r.dropped+r.errors), "dropped+errors")
				b.Logf("%s: %d requests in %v: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; %d dropped, %d errors (load average %s before, %s after, %d CPUs)",
					be.name, len(r.lat), d, r.quantile(0.5), r.quantile(0.9), r.quantile(0.99), r.quantile(1), r.dropped, r.errors,
					load0, loadAvg(), runtime.NumCPU())
			}
		})
	}
}

// loadAvg is the machine's 1-minute load average: the figures mean little
// on a machine busy with other work.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

type loadResult struct {
	lat             []time.Duration
	dropped, errors int
}

func (r loadResult) quantile(q float64) float64 {
	if len(r.lat) == 0 {
		return 0
	}
	s := slices.Clone(r.lat)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.5) - 1
	i = max(0, min(i, len(s)-1))
	return float64(s[i]) / float64(time.Millisecond)
}

// load sends rate requests a second for d from at most workers requests
// in flight; a tick finding every worker busy is dropped, not queued, so
// the generator never hides the server's slowness behind its own queue.
func load(url, token string, rate int, d time.Duration, workers int) loadResult {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}, Timeout: 10 * time.Second}
	jobs := make(chan struct{})
	var mu sync.Mutex
	var r loadResult
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				lat, err := timedGet(client, url, token)
				mu.Lock()
				if err != nil {
					r.errors++
				} else {
					r.lat = append(r.lat, lat)
				}
				mu.Unlock()
			}
		}()
	}
	tick := time.NewTicker(time.Second / time.Duration(rate))
	n := int(d.Seconds() * float64(rate))
	for range n {
		<-tick.C
		select {
		case jobs <- struct{}{}:
		default:
			mu.Lock()
			r.dropped++
			mu.Unlock()
		}
	}
	tick.Stop()
	close(jobs)
	wg.Wait()
	return r
}

func timedGet(client *http.Client, url, token string) (time.Duration, error) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	lat := time.Since(t0)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d", resp.StatusCode)
	}
	return lat, err
}

// seedStore records deployments (of the fixture's three environments,
// succeeded or failed, with a target result) and events (the agent's
// outcomes, drift, promotions, approvals, notifications), spread over the
// last 90 days, with 8 writers.
func seedStore(tb testing.TB, st store.Store, deployments, events int) {
	ctx := context.Background()
	envs := []string{"dev", "staging", "production"}
	start := time.Now().Add(-90 * 24 * time.Hour)
	step := 90 * 24 * time.Hour / time.Duration(deployments)
	work := func(n int, fn func(i int) error) {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < n; i += 8 {
					if err := fn(i); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			tb.Fatal(err)
		}
	}
	work(deployments, func(i int) error {
		at := start.Add(time.Duration(i) * step)
		env := envs[i%3]
		id, err := st.StartDeployment(ctx, store.Deployment{Env: env, Revision: fmt.Sprintf("%040x", i), Version: "v0.1.0",
			Actor: "ferry-agent", StartedAt: at, Change: &store.Change{Kind: store.ChangeNormal, Commits: 1, FirstCommitAt: at.Add(-time.Hour)}})
		if err != nil {
			return err
		}
		status := store.StatusSucceeded
		if i%10 == 7 {
			status = store.StatusFailed
		}
		return st.FinishDeployment(ctx, id, store.DeploymentResult{Status: status, Healthy: status == store.StatusSucceeded,
			Verified: true, Summary: "local/web: 0 created, 1 configured", EndedAt: at.Add(time.Minute),
			Targets: []store.TargetResult{{Target: "local", Status: status, Components: []store.ComponentResult{
				{Component: "web", Status: status, Summary: "0 created, 1 configured", Duration: time.Second}}}}})
	})
	estep := 90 * 24 * time.Hour / time.Duration(events)
	work(events, func(i int) error {
		e := store.Event{Time: start.Add(time.Duration(i) * estep), Env: envs[i%3], Actor: "ferry-agent"}
		switch i % 5 {
		case 0, 1:
			data, _ := json.Marshal(agent.Outcome{Action: agent.ActionUpToDate, Message: "up to date"})
			e.Kind, e.Message, e.Data = agent.EventReconcile, "up to date", string(data)
		case 2:
			e.Kind, e.Message, e.Data = agent.EventDrift, "drift in web", `{"revision":"r","mode":"detect","details":"web: 1 object"}`
		case 3:
			e.Kind, e.Message = "promotion", "promote develop -> staging"
		default:
			e.Kind, e.Message = "notification.sent", "sent to slack"
		}
		_, err := st.AppendEvent(ctx, e)
		return err
	})
}

// BenchmarkStreamLatency: how long after a deployment's status change is
// recorded an SSE client sees it (the bar is 200 ms): written by this
// process (the store the agent and the API share, which wakes the stream)
// and by another writer of the same store (found by the stream's 100 ms
// poll). Reports p50/p99/max in ms.
func BenchmarkStreamLatency(b *testing.B) {
	f := newAPIFixture(b, fixtureOptions{})
	other, err := store.OpenSQLite(context.Background(), f.work+"/.ferry/state.db")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { other.Close() })
	for _, w := range []struct {
		name string
		st   store.Store
	}{{"in-process", f.hub.Wrap(f.st)}, {"other-writer", other}} {
		b.Run(w.name, func(b *testing.B) {
			c := f.openStream("viewer")
			defer c.close()
			time.Sleep(200 * time.Millisecond) // the stream's first look
			var lat []time.Duration
			for b.Loop() {
				id, err := w.st.StartDeployment(context.Background(), store.Deployment{Env: "dev", Revision: "r"})
				if err != nil {
					b.Fatal(err)
				}
				if err := w.st.FinishDeployment(context.Background(), id, store.DeploymentResult{Status: store.StatusSucceeded}); err != nil {
					b.Fatal(err)
				}
				recorded := time.Now()
				if c.waitDeployment(id, store.StatusSucceeded, 5*time.Second) == "" {
					b.Fatalf("deployment %d never reached the stream", id)
				}
				at, _ := c.arrived(id, store.StatusSucceeded)
				lat = append(lat, max(0, at.Sub(recorded)))
			}
			r := loadResult{lat: lat}
			b.ReportMetric(r.quantile(0.5), "p50-ms")
			b.ReportMetric(r.quantile(0.99), "p99-ms")
			b.ReportMetric(r.quantile(1), "max-ms")
		})
	}
}
