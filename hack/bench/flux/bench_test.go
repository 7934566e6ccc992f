package fluxbench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"ferry.dev/ferry/internal/testenv"
)

// options are the benchmark's knobs, from the environment.
type options struct {
	pushes     int           // FERRY_BENCH_PUSHES: pushes per tool and trigger (20)
	sizes      []int         // FERRY_BENCH_SIZES: objects of the no-op scenarios (100,1000,10000)
	interval   time.Duration // FERRY_BENCH_NOOP_INTERVAL: both tools' reconcile interval there (30s)
	cycles     int           // FERRY_BENCH_CYCLES: no-op reconciles sampled per size (3)
	edits      int           // FERRY_BENCH_EDITS: hand edits per tool (3)
	fluxDrift  time.Duration // FERRY_BENCH_FLUX_INTERVAL: the Kustomization interval drift waits for (1m)
	pollEvery  time.Duration // both tools' poll interval in the polling runs (10s)
	secretFile string
	secret     []byte
}

func benchOptions(b testing.TB) options {
	o := options{pushes: 20, sizes: []int{100, 1000, 10000}, interval: 30 * time.Second, cycles: 3, edits: 3,
		fluxDrift: time.Minute, pollEvery: 10 * time.Second, secret: []byte("flux-bench-webhook-secret")}
	num := func(k string, v *int) {
		if s := os.Getenv(k); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				b.Fatalf("%s=%q: want a positive number", k, s)
			}
			*v = n
		}
	}
	dur := func(k string, v *time.Duration) {
		if s := os.Getenv(k); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				b.Fatalf("%s=%q: want a duration such as 30s", k, s)
			}
			*v = d
		}
	}
	num("FERRY_BENCH_PUSHES", &o.pushes)
	num("FERRY_BENCH_CYCLES", &o.cycles)
	num("FERRY_BENCH_EDITS", &o.edits)
	dur("FERRY_BENCH_NOOP_INTERVAL", &o.interval)
	dur("FERRY_BENCH_FLUX_INTERVAL", &o.fluxDrift)
	if s := os.Getenv("FERRY_BENCH_SIZES"); s != "" {
		o.sizes = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				b.Fatalf("FERRY_BENCH_SIZES=%q: want numbers such as 100,1000", s)
			}
			o.sizes = append(o.sizes, n)
		}
	}
	o.secretFile = filepath.Join(b.TempDir(), "webhook-secret")
	if err := os.WriteFile(o.secretFile, o.secret, 0o600); err != nil {
		b.Fatal(err)
	}
	return o
}

// bench is what every scenario uses.
type bench struct {
	o    options
	kc   string
	kube kubernetes.Interface
	bin  string // ferry
	flux *fluxTool
	t    *table
}

// BenchmarkFlux runs each scenario for ferry serve and for Flux's
// controllers, one tool at a time, on one harness plane, and prints the
// table with the ratios (Flux's figure over ferry's: above 1, ferry is
// ahead). Run with make bench-agent.
func BenchmarkFlux(b *testing.B) {
	testenv.GitIsolate(b)
	cp := testenv.ControlPlaneFor(b)
	s := &bench{o: benchOptions(b), kc: cp.KubeconfigAs(b, "ferry-local"), bin: testenv.FerryBinary(b)}
	cfg, err := clientcmd.BuildConfigFromFlags("", s.kc)
	if err != nil {
		b.Fatal(err)
	}
	// The bench's own client: its waits must not queue behind client-go's
	// default limit of 5 requests/s.
	bc := rest.CopyConfig(cfg)
	bc.QPS, bc.Burst = 500, 1000
	s.kube = kubernetes.NewForConfigOrDie(bc)
	s.flux = startFlux(b, s.kc, cfg)
	for b.Loop() {
		s.t = &table{}
		s.push(b)
		for _, n := range s.o.sizes {
			s.noop(b, n)
		}
		s.t.print(os.Stdout)
		s.t.report(b)
	}
}

// push: push → applied with webhooks and with polling, then hand edit →
// corrected, for each tool on a one-ConfigMap overlay.
func (s *bench) push(b *testing.B) {
	const env = "push"
	r := newRepo(b, env, 0, "1h")
	s.namespaces(b, env)
	load := loadavg()

	ferry := startFerry(b, s.bin, s.kc, r, "1h", s.o.secretFile)
	ferry.deployed(b, env, 5*time.Minute)
	r.hook(b, ferry.webhook, s.o.secret)
	prof := ferry.profile(b, "ferry-webhook", 10*time.Second)
	fWeb := s.pushes(b, r, ferryNS(env), 0)
	prof()
	// ferry's edits come past the 2 s after its last sync, in which it
	// defers watch events to one check at the window's end; Flux's at any
	// moment of its Kustomization interval.
	fEdit := s.edits(b, ferryNS(env), 3*time.Second, 3*time.Second)
	ferry.stop()
	r.hook(b, "", nil)
	ferry = startFerry(b, s.bin, s.kc, r, s.o.pollEvery.String(), s.o.secretFile)
	ferry.deployed(b, env, 5*time.Minute)
	fPoll := s.pushes(b, r, ferryNS(env), s.o.pollEvery)
	ferry.stop()

	hook := s.flux.sync(b, env, r, "1h", s.o.fluxDrift.String(), s.o.secret, true)
	s.flux.applied(b, env, r.head(b), 5*time.Minute)
	r.hook(b, hook, s.o.secret)
	xWeb := s.pushes(b, r, fluxNS(env), 0)
	xEdit := s.edits(b, fluxNS(env), 0, s.o.fluxDrift)
	r.hook(b, "", nil)
	s.flux.setInterval(b, env, s.o.pollEvery.String())
	xPoll := s.pushes(b, r, fluxNS(env), s.o.pollEvery)
	s.flux.remove(b, env)

	note := fmt.Sprintf("load %s→%s", load, loadavg())
	s.t.add("push → applied, webhook, p50 (s)", pct(fWeb, 50), pct(xWeb, 50), note)
	s.t.add("push → applied, webhook, p95 (s)", pct(fWeb, 95), pct(xWeb, 95), "")
	s.t.add(fmt.Sprintf("push → applied, polling every %s, p50 (s)", s.o.pollEvery), pct(fPoll, 50), pct(xPoll, 50), "")
	s.t.add(fmt.Sprintf("push → applied, polling every %s, p95 (s)", s.o.pollEvery), pct(fPoll, 95), pct(xPoll, 95), "")
	s.t.add("hand edit → corrected, p50 (s)", pct(fEdit, 50), pct(xEdit, 50),
		fmt.Sprintf("ferry: watches; Flux: Kustomization interval %s", s.o.fluxDrift))
	s.t.add("hand edit → corrected, worst (s)", pct(fEdit, 100), pct(xEdit, 100), "")
}

// pushes changes the bench ConfigMap o.pushes times and times each push
// until the new value is in ns. With jitter, each push waits a random part
// of it first, so pushes land anywhere in a poll cycle.
func (s *bench) pushes(b *testing.B, r *repo, ns string, jitter time.Duration) []time.Duration {
	b.Helper()
	var lat []time.Duration
	for range s.o.pushes {
		if jitter > 0 {
			time.Sleep(rand.N(jitter))
		}
		value := strconv.FormatInt(time.Now().UnixNano(), 10)
		seen := s.watchValue(b, ns)
		t0 := time.Now()
		r.push(b, value)
		lat = append(lat, seen(value, 2*time.Minute+2*jitter).Sub(t0))
	}
	return lat
}

// edits changes the bench ConfigMap by hand o.edits times, each after
// quiet and a random part of wait, and times each until the tool put it
// back.
func (s *bench) edits(b *testing.B, ns string, quiet, wait time.Duration) []time.Duration {
	b.Helper()
	ctx := context.Background()
	var lat []time.Duration
	for range s.o.edits {
		time.Sleep(quiet + rand.N(wait))
		cm, err := s.kube.CoreV1().ConfigMaps(ns).Get(ctx, "bench", metav1.GetOptions{})
		if err != nil {
			b.Fatal(err)
		}
		want := cm.Data["value"]
		cm.Data["value"] = "edited-by-hand"
		seen := s.watchValue(b, ns)
		t0 := time.Now()
		if _, err := s.kube.CoreV1().ConfigMaps(ns).Update(ctx, cm, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, seen(want, 2*(quiet+wait)+time.Minute).Sub(t0))
	}
	return lat
}

// watchValue watches the bench ConfigMap of ns from now on; the returned
// function waits until its value is want and returns when the watch event
// saying so arrived. A watch, not polling: polling every few milliseconds
// would load the API server both tools share, and a client's rate limit
// would round every figure up to its period.
func (s *bench) watchValue(b *testing.B, ns string) func(want string, within time.Duration) time.Time {
	b.Helper()
	ctx := context.Background()
	cm, err := s.kube.CoreV1().ConfigMaps(ns).Get(ctx, "bench", metav1.GetOptions{})
	if err != nil {
		b.Fatal(err)
	}
	w, err := s.kube.CoreV1().ConfigMaps(ns).Watch(ctx, metav1.ListOptions{
		FieldSelector: "metadata.name=bench", ResourceVersion: cm.ResourceVersion})
	if err != nil {
		b.Fatal(err)
	}
	return func(want string, within time.Duration) time.Time {
		defer w.Stop()
		deadline := time.After(within)
		for {
			select {
			case ev, ok := <-w.ResultChan():
				if !ok {
					b.Fatalf("watch of %s/bench ended before its value was %q", ns, want)
				}
				if c, isCM := ev.Object.(*corev1.ConfigMap); isCM && c.Data["value"] == want {
					return time.Now()
				}
			case <-deadline:
				b.Fatalf("%s/bench: value not %q within %s", ns, want, within)
			}
		}
	}
}

// noop: the first sync of n objects, then no-op reconciles at the same
// interval for both tools (ferry's drift check, Flux's Kustomization
// reconcile), and the steady state over those cycles.
func (s *bench) noop(b *testing.B, n int) {
	env := fmt.Sprintf("noop%d", n)
	r := newRepo(b, env, n, s.o.interval.String())
	s.namespaces(b, env)
	load := loadavg()

	t0 := time.Now()
	ferry := startFerry(b, s.bin, s.kc, r, s.o.interval.String(), s.o.secretFile)
	ferry.deployed(b, env, 30*time.Minute)
	fFirst := time.Since(t0)
	prof := ferry.profile(b, fmt.Sprintf("ferry-noop%d", n), time.Duration(s.o.cycles)*s.o.interval)
	fc := s.cycles(b, procs{ferry.proc}, func() (float64, float64) { return ferry.reconciles(b, env) })
	prof()
	ferry.stop()

	t0 = time.Now()
	s.flux.sync(b, env, r, s.o.interval.String(), s.o.interval.String(), nil, false)
	s.flux.applied(b, env, r.head(b), 30*time.Minute)
	xFirst := time.Since(t0)
	xc := s.cycles(b, s.flux.controllers(), func() (float64, float64) { return s.flux.reconciles(b) })
	nrss, _ := s.flux.notification.mem(b)
	s.flux.remove(b, env)

	s.t.add(fmt.Sprintf("first sync of %d objects (s)", n), fFirst, xFirst, fmt.Sprintf("load %s→%s", load, loadavg()))
	s.t.add(fmt.Sprintf("no-op reconcile of %d: wall (s)", n), sec(fc.wall), sec(xc.wall), "each tool's own reconcile histogram")
	s.t.add(fmt.Sprintf("no-op reconcile of %d: CPU-s per cycle", n), sec(fc.cpu), sec(xc.cpu),
		fmt.Sprintf("%d cycles at %s", s.o.cycles, s.o.interval))
	s.t.add(fmt.Sprintf("no-op reconcile of %d: API writes per cycle", n), fc.writes, xc.writes, "")
	s.t.add(fmt.Sprintf("steady state, %d objects: RSS (MB)", n), mb(fc.rss), mb(xc.rss),
		fmt.Sprintf("Flux: source + kustomize (notification %.0f MB more)", mb(nrss)))
	s.t.add(fmt.Sprintf("steady state, %d objects: peak RSS (MB)", n), mb(fc.hwm), mb(xc.hwm), "")
	s.t.add(fmt.Sprintf("steady state, %d objects: CPU (%% of a core)", n), fc.cpuPct, xc.cpuPct, "")
}

// cycle is a tool's cost per no-op reconcile, over o.cycles of them.
type cycle struct {
	wall, cpu time.Duration
	writes    float64
	cpuPct    float64
	rss, hwm  int // kB, at the window's end
}

// cycles waits for a reconcile to finish, then measures the next
// o.cycles: the window starts and ends on a finished reconcile. It reads
// the tool's metrics once a second: every scrape costs the tool CPU that
// the figures would count (at ten a second it was half of ferry's cycle).
func (s *bench) cycles(b *testing.B, ps procs, count func() (n, seconds float64)) cycle {
	b.Helper()
	within := time.Duration(s.o.cycles+2) * (s.o.interval + 10*time.Minute)
	n0, _ := count()
	waitEvery(b, within, time.Second, "a reconcile", func() bool { n, _ := count(); return n > n0 })
	n0, sum0 := count()
	cpu0, w0, t0 := ps.cpu(b), s.writes(b), time.Now()
	waitEvery(b, within, time.Second, "the sampled reconciles", func() bool {
		n, _ := count()
		return n >= n0+float64(s.o.cycles)
	})
	n1, sum1 := count()
	cpu1, w1, window := ps.cpu(b), s.writes(b), time.Since(t0)
	k := n1 - n0
	c := cycle{wall: time.Duration((sum1 - sum0) / k * float64(time.Second)), cpu: time.Duration(float64(cpu1-cpu0) / k),
		writes: float64(w1-w0) / k, cpuPct: 100 * (cpu1 - cpu0).Seconds() / window.Seconds()}
	c.rss, c.hwm = ps.mem(b)
	return c
}

func (s *bench) writes(b *testing.B) int {
	w, err := testenv.APIWrites(context.Background(), s.kube)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, v := range w {
		n += v
	}
	return n
}

// namespaces creates ferry's and Flux's namespaces of a scenario.
func (s *bench) namespaces(b *testing.B, env string) {
	for _, ns := range []string{ferryNS(env), fluxNS(env)} {
		_, err := s.kube.CoreV1().Namespaces().Create(context.Background(),
			&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			b.Fatal(err)
		}
	}
}
