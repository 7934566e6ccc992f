package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// Options configure a Dispatcher. Zero fields take the defaults.
type Options struct {
	// Store records every delivery's end (notification.sent/failed);
	// required.
	Store store.Store
	// Log gets one line per delivery's end (default: discarded).
	Log *slog.Logger
	// Actor names who the recorded events are by (default "ferry").
	Actor string
	// Client sends the requests (default: a client with a 10s timeout).
	Client *http.Client
	// QueueSize bounds the deliveries waiting (default 256); when it is
	// full, Notify records the delivery failed instead of waiting.
	QueueSize int
	// Workers deliver at once (default 2).
	Workers int
	// Attempts per delivery (default 5), the first included.
	Attempts int
	// Backoff is the wait before the second attempt, doubled for each
	// later one up to MaxBackoff, with jitter (default 1s and 1m).
	Backoff, MaxBackoff time.Duration
}

func (o *Options) defaults() {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Actor == "" {
		o.Actor = "ferry"
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 256
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.Attempts <= 0 {
		o.Attempts = 5
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.MaxBackoff < o.Backoff {
		o.MaxBackoff = max(time.Minute, o.Backoff)
	}
}

// Dispatcher delivers notifications in the background.
type Dispatcher struct {
	o      Options
	queue  chan job
	ctx    context.Context // cancelled when Close gives up waiting
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
	last   map[string]string // sink and env → trigger@revision last queued
}

// job is one event for one sink.
type job struct {
	sink     platform.NotifySink
	ev       Event
	delivery string
}

// New starts a Dispatcher's workers; Close stops them.
func New(o Options) *Dispatcher {
	o.defaults()
	ctx, cancel := context.WithCancel(context.Background())
	d := &Dispatcher{o: o, queue: make(chan job, o.QueueSize), ctx: ctx, cancel: cancel, last: map[string]string{}}
	for range o.Workers {
		d.wg.Go(d.work)
	}
	return d
}

// Notify queues ev for every sink the platform's rules send ev.Trigger in
// ev.Env to, and returns at once. Git host sinks need a revision; an
// event without one skips them. The same trigger at the same revision
// queued twice in a row for one sink and environment (a sync retried
// after a failure, say) is sent once. Safe on a nil Dispatcher.
func (d *Dispatcher) Notify(p *platform.Platform, ev Event) {
	if d == nil || p == nil {
		return
	}
	if ev.Time.IsZero() {
		ev.Time = time.Now().UTC()
	}
	ev.Platform = p.Metadata.Name
	for _, s := range p.Spec.Notifications.SinksFor(ev.Trigger, ev.Env) {
		if s.GitHost() != nil && ev.Revision == "" {
			continue
		}
		d.enqueue(job{sink: s, ev: ev, delivery: newID()})
	}
}

func (d *Dispatcher) enqueue(j job) {
	d.mu.Lock()
	key, state := j.sink.Name+"\x00"+j.ev.Env, string(j.ev.Trigger)+"@"+j.ev.Revision
	if d.last[key] == state {
		d.mu.Unlock()
		return
	}
	if d.closed {
		d.mu.Unlock()
		d.finish(j, 0, errClosed, nil)
		return
	}
	select {
	case d.queue <- j:
		d.last[key] = state
		d.mu.Unlock()
	default:
		d.mu.Unlock()
		d.finish(j, 0, errQueueFull, nil)
	}
}

// Close stops taking notifications and waits up to timeout for the queued
// ones; then it cuts off in-flight attempts and records every delivery
// left as failed. It returns when all are recorded.
func (d *Dispatcher) Close(timeout time.Duration) {
	if d == nil {
		return
	}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.closed = true
	close(d.queue)
	d.mu.Unlock()
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		d.o.Log.Warn("notifications: drain time over; recording the undelivered as failed", "timeout", timeout.String())
		d.cancel()
		<-done
	}
	d.cancel()
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
