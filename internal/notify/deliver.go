package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"ferry.dev/ferry/internal/store"
)

// Event kinds of a delivery's end in the store.
const (
	EventSent   = "notification.sent"
	EventFailed = "notification.failed"
)

var (
	errQueueFull = errors.New("notification queue is full; dropped without an attempt")
	errClosed    = errors.New("notifications are shutting down; dropped without an attempt")
	errShutdown  = errors.New("shutdown before delivery")
)

// work delivers queued jobs until the queue is closed and empty.
func (d *Dispatcher) work() {
	defer func() {
		if p := recover(); p != nil {
			d.o.Log.Error("notifications: worker panicked", "panic", fmt.Sprint(p))
		}
	}()
	for j := range d.queue {
		d.deliver(j)
	}
}

// deliver makes up to Attempts attempts and records how it ended.
func (d *Dispatcher) deliver(j job) {
	s, secrets, err := newSender(j.sink, d.o.Client)
	attempts := 0
	for err == nil {
		if d.ctx.Err() != nil {
			err = errShutdown
			break
		}
		attempts++
		if err = s.send(d.ctx, j.ev, j.delivery); err == nil {
			break
		}
		if d.ctx.Err() != nil {
			err = fmt.Errorf("%w: %v", errShutdown, err)
			break
		}
		if isPermanent(err) || attempts >= d.o.Attempts {
			break
		}
		if !d.sleep(d.backoff(attempts, err)) {
			err = fmt.Errorf("%w: %v", errShutdown, err)
			break
		}
		err = nil
		d.o.Log.Debug("notifications: retrying", "sink", j.sink.Name, "attempt", attempts+1)
	}
	d.finish(j, attempts, err, secrets)
}

// backoff is the wait after attempt n (1-based): Backoff·2^(n-1) capped at
// MaxBackoff, half of it random; a longer Retry-After wins, up to the cap.
func (d *Dispatcher) backoff(n int, err error) time.Duration {
	wait := d.o.Backoff << min(n-1, 30)
	if wait <= 0 || wait > d.o.MaxBackoff {
		wait = d.o.MaxBackoff
	}
	wait = wait/2 + rand.N(wait/2+1)
	var he *httpError
	if errors.As(err, &he) && he.retryAfter > wait {
		wait = min(he.retryAfter, d.o.MaxBackoff)
	}
	return wait
}

// sleep waits d or until Close cuts off; false when cut off.
func (d *Dispatcher) sleep(wait time.Duration) bool {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-d.ctx.Done():
		return false
	}
}

// record is what the store keeps of a delivery.
type record struct {
	Sink     string `json:"sink"`
	Kind     string `json:"kind"`
	Trigger  string `json:"trigger"`
	Env      string `json:"env,omitempty"`
	Revision string `json:"revision,omitempty"`
	Delivery string `json:"delivery"`
	Attempts int    `json:"attempts"`
	Error    string `json:"error,omitempty"`
}

// finish records the delivery's end (err nil: sent) and logs it, with
// every secret of the delivery redacted.
func (d *Dispatcher) finish(j job, attempts int, err error, secrets []string) {
	r := record{Sink: j.sink.Name, Kind: j.sink.Kind(), Trigger: string(j.ev.Trigger), Env: j.ev.Env,
		Revision: j.ev.Revision, Delivery: j.delivery, Attempts: attempts}
	kind := EventSent
	msg := fmt.Sprintf("notified %s (%s) of %s", r.Sink, r.Kind, j.ev.Title())
	log := d.o.Log.With("sink", r.Sink, "trigger", r.Trigger, "env", r.Env, "attempts", attempts)
	if err != nil {
		kind = EventFailed
		r.Error = redact(err.Error(), secrets)
		msg = redact(fmt.Sprintf("notification to %s (%s) of %s failed after %d attempt(s): %s",
			r.Sink, r.Kind, j.ev.Title(), attempts, r.Error), secrets)
		log.Error("notification failed", "error", r.Error)
	} else {
		log.Info("notification sent")
	}
	data, _ := json.Marshal(r)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, serr := d.o.Store.AppendEvent(ctx, store.Event{Kind: kind, Env: r.Env, Actor: d.o.Actor,
		Message: msg, Data: redact(string(data), secrets)}); serr != nil {
		log.Error("record notification", "error", serr.Error())
	}
}

// redact replaces every secret in s; secrets too short to be anything but
// noise are left (they would blank unrelated text).
func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}
