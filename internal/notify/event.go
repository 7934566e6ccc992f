package notify

import (
	"fmt"
	"time"

	"ferry.dev/ferry/internal/platform"
)

// Event is one thing that happened, as every sink is told it.
type Event struct {
	Trigger  platform.Trigger `json:"trigger"`
	Platform string           `json:"platform"`
	Env      string           `json:"env,omitempty"`
	// Revision is the commit the event is about (a deployment's revision,
	// a promotion's candidate, a release's commit); Git host sinks set
	// their status on it, so events without one skip them.
	Revision   string    `json:"revision,omitempty"`
	Version    string    `json:"version,omitempty"`
	Deployment int64     `json:"deployment,omitempty"`
	Actor      string    `json:"actor,omitempty"`
	Message    string    `json:"message"`
	Time       time.Time `json:"time"`
}

// outcome is how a trigger reads as a status: good, bad, or a warning.
type outcome int

const (
	outcomeSuccess outcome = iota
	outcomeFailure
	outcomeWarning
)

func (e Event) outcome() outcome {
	switch e.Trigger {
	case platform.OnDeployFailed, platform.OnHealthDegraded:
		return outcomeFailure
	case platform.OnDrift, platform.OnPromotionBlocked:
		return outcomeWarning
	}
	return outcomeSuccess
}

// Title is the one line a human reads first.
func (e Event) Title() string {
	what := map[platform.Trigger]string{
		platform.OnDeployed: "deployed", platform.OnDeployFailed: "deploy failed",
		platform.OnHealthDegraded: "health degraded", platform.OnDrift: "drift",
		platform.OnPromotionBlocked: "promotion blocked", platform.OnReleased: "released",
		platform.OnRolledBack: "rolled back",
	}[e.Trigger]
	s := fmt.Sprintf("%s: %s", e.Platform, what)
	if e.Env != "" {
		s += " in " + e.Env
	}
	if e.Revision != "" {
		s += " at " + short(e.Revision)
	}
	if e.Version != "" {
		s += " (" + e.Version + ")"
	}
	return s
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

// description bounds a status description (GitHub: 140 characters).
func (e Event) description() string {
	d := e.Message
	if d == "" {
		d = e.Title()
	}
	if r := []rune(d); len(r) > 140 {
		d = string(r[:139]) + "…"
	}
	return d
}
