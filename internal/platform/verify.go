package platform

import (
	"strconv"
	"time"
)

// DefaultSoak is how long a verify gate watches the deployed environment.
const DefaultSoak = 5 * time.Minute

// Verify is the verify gate of a promotion: Prometheus queries that must
// hold, at every step, for Soak after gates.deployed's environment finished
// deploying the candidate.
type Verify struct {
	// Prometheus is the base URL of the Prometheus that scrapes the
	// environment (http or https, no credentials in it).
	Prometheus string `yaml:"prometheus" json:"prometheus"`
	// Token, when set, is sent as a bearer token (a Prometheus behind an
	// authenticating proxy); from env or a file, never inline.
	Token *SecretRef `yaml:"token,omitempty" json:"token,omitempty"`
	// Soak is how long after the deployment every query must hold.
	Soak Duration `yaml:"soak" json:"soak"`
	// Queries must all hold.
	Queries []VerifyQuery `yaml:"queries" json:"queries"`
	// Rollback: when verification fails, the agent syncs the environment
	// back to its previous good revision (and waits for a new one).
	Rollback bool `yaml:"rollback,omitempty" json:"rollback,omitempty"`
}

// VerifyQuery is one PromQL expression and its threshold: each sample of
// each series it returns over the soak must be below Below, or above
// Above (exactly one is set).
type VerifyQuery struct {
	Name  string   `yaml:"name" json:"name"`
	Query string   `yaml:"query" json:"query"`
	Below *float64 `yaml:"below,omitempty" json:"below,omitempty"`
	Above *float64 `yaml:"above,omitempty" json:"above,omitempty"`
}

// Holds reports whether v satisfies the query's threshold.
func (q VerifyQuery) Holds(v float64) bool {
	if q.Below != nil {
		return v < *q.Below
	}
	return q.Above != nil && v > *q.Above
}

// Threshold says the condition, e.g. "< 0.01".
func (q VerifyQuery) Threshold() string {
	if q.Below != nil {
		return "< " + formatFloat(*q.Below)
	}
	if q.Above != nil {
		return "> " + formatFloat(*q.Above)
	}
	return "(no threshold)"
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
