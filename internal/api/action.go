package api

import (
	"encoding/json"
	"time"
)

// Action states.
const (
	ActionRunning   = "running"
	ActionSucceeded = "succeeded"
	ActionFailed    = "failed"
)

// Action is a long action the API started (a sync, a plan, a rollback):
// POST answers 202 with it, GET /api/v1/actions/{id} follows it. Result is
// the verb's -o json report once known; Error is set when it failed.
type Action struct {
	ID         string          `json:"id"`
	Kind       string          `json:"kind"` // sync, plan, rollback
	Env        string          `json:"env"`
	Actor      string          `json:"actor"`
	Status     string          `json:"status"`
	Deployment int64           `json:"deployment,omitempty"`
	StartedAt  time.Time       `json:"startedAt"`
	EndedAt    time.Time       `json:"endedAt,omitzero"`
	Result     json.RawMessage `json:"result,omitempty"`
	Error      *Error          `json:"error,omitempty"`
}

// Done says whether the action ended.
func (a Action) Done() bool { return a.Status != ActionRunning }
