package agent

import (
	"math/rand/v2"
	"time"

	"k8s.io/client-go/util/workqueue"
)

// newQueue is the work queue keyed by environment: adds of a queued key
// coalesce, a key being processed is never handed to a second worker, and
// failures back off exponentially (with jitter) up to max.
func newQueue(base, max time.Duration) workqueue.TypedRateLimitingInterface[string] {
	rl := jittered{workqueue.NewTypedItemExponentialFailureRateLimiter[string](base, max), max}
	return workqueue.NewTypedRateLimitingQueueWithConfig[string](rl,
		workqueue.TypedRateLimitingQueueConfig[string]{Name: "ferry-environments"})
}

// jittered spreads each backoff over [d/2, d] (capped), so environments
// that failed together do not retry in lockstep.
type jittered struct {
	workqueue.TypedRateLimiter[string]
	max time.Duration
}

func (j jittered) When(item string) time.Duration {
	d := min(j.TypedRateLimiter.When(item), j.max)
	if d <= 0 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

// jitter returns d spread by up to ±10%.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	span := d / 5
	return d - span/2 + rand.N(span+1)
}
