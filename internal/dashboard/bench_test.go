package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/store"
)

// BenchmarkPipelinePage: GET / (the pipeline page, rendered on the server)
// as a logged-in viewer, with 10,000 deployments and 50,000 events in the
// store, on SQLite and PostgreSQL. Each iteration is one whole request on
// loopback (session, reads of every environment, template); the lanes and
// promotion plans come from the dashboard's shared look at Git, which the
// first request takes and the benchmark reports apart (first-ms). The bar
// is 50 ms a page. Run it with make bench-dashboard, or:
// go test -tags kustomize_disable_go_plugin_support -run '^$' -bench PipelinePage ./internal/dashboard/
func BenchmarkPipelinePage(b *testing.B) {
	for _, be := range []struct {
		name string
		pg   bool
	}{{"sqlite", false}, {"postgres", true}} {
		b.Run(be.name, func(b *testing.B) {
			f := newFixture(b, options{postgres: be.pg})
			began := time.Now()
			seed(b, f.st, 10_000, 50_000)
			b.Logf("%s: seeded 10,000 deployments and 50,000 events in %v", be.name, time.Since(began).Round(time.Second))
			c := f.client()
			f.login(c, "viewer")
			get := func() (time.Duration, int) {
				t0 := time.Now()
				resp, err := c.Get(f.srv.URL + "/")
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("GET /: %s", resp.Status)
				}
				return time.Since(t0), int(n)
			}
			first, size := get()
			for range 20 { // warm the store's pool and caches
				get()
			}
			var lat []time.Duration
			b.ResetTimer()
			for range b.N {
				d, _ := get()
				lat = append(lat, d)
			}
			b.StopTimer()
			p := quantiles(lat)
			b.ReportMetric(float64(first.Microseconds())/1000, "first-ms")
			b.ReportMetric(p(0.5), "p50-ms")
			b.ReportMetric(p(0.99), "p99-ms")
			b.ReportMetric(float64(size), "page-bytes")
			b.Logf("%s: %d pages: first %v, p50 %.2f ms, p99 %.2f ms, max %.2f ms, %d bytes",
				be.name, len(lat), first.Round(time.Millisecond), p(0.5), p(0.99), p(1), size)
		})
	}
}

func quantiles(lat []time.Duration) func(q float64) float64 {
	s := append([]time.Duration(nil), lat...)
	for i := 1; i < len(s); i++ { // insertion sort: b.N is small
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return func(q float64) float64 {
		if len(s) == 0 {
			return 0
		}
		i := int(q * float64(len(s)-1))
		return float64(s[i].Microseconds()) / 1000
	}
}

// seed records deployments of the three environments (succeeded or
// failed, with target and component results) and events (the agent's
// outcomes, drift, promotions, notifications) spread over 90 days, with 8
// writers — the shape of the API's load benchmark.
func seed(tb testing.TB, st store.Store, deployments, events int) {
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
	target := map[string]string{"dev": "local", "staging": "k3s", "production": "aws"}
	work(deployments, func(i int) error {
		at := start.Add(time.Duration(i) * step)
		env := envs[i%3]
		id, err := st.StartDeployment(ctx, store.Deployment{Env: env, Revision: fmt.Sprintf("%040x", i), Version: "v0.1.0",
			Actor: "ferry-agent", StartedAt: at})
		if err != nil {
			return err
		}
		status := store.StatusSucceeded
		if i%10 == 7 {
			status = store.StatusFailed
		}
		return st.FinishDeployment(ctx, id, store.DeploymentResult{Status: status, Healthy: status == store.StatusSucceeded,
			Summary: "web: 0 created, 1 configured", EndedAt: at.Add(time.Minute),
			Targets: []store.TargetResult{{Target: target[env], Status: status, Components: []store.ComponentResult{
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
