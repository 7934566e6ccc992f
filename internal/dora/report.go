package dora

import (
	"context"
	"fmt"
	"math"
	"time"

	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// Report is the DORA metrics of one environment over [From, To], the -o
// json shape of ferry dora and of GET /api/v1/dora.
type Report struct {
	Env                 string    `json:"env"`
	From                time.Time `json:"from"`
	To                  time.Time `json:"to"`
	DeploymentFrequency Frequency `json:"deploymentFrequency"`
	LeadTime            Durations `json:"leadTime"`
	ChangeFailureRate   Rate      `json:"changeFailureRate"`
	RecoveryTime        Durations `json:"recoveryTime"`
	ReworkRate          Rate      `json:"reworkRate"`
	// Deployments says what the figures counted and what they left out.
	Deployments Counts `json:"deployments"`
}

// Frequency is how often changes reached the environment successfully.
type Frequency struct {
	Count   int     `json:"count"`
	PerDay  float64 `json:"perDay"`
	PerWeek float64 `json:"perWeek"`
	Band    Band    `json:"band"`
}

// Durations are a median and p90 (nearest rank), in seconds and as text.
type Durations struct {
	Count         int     `json:"count"`
	MedianSeconds float64 `json:"medianSeconds"`
	P90Seconds    float64 `json:"p90Seconds"`
	Median        string  `json:"median"`
	P90           string  `json:"p90"`
	Band          Band    `json:"band"`
	// Skewed (lead time): first commits after their deployment ended,
	// counted as 0.
	Skewed int `json:"skewed,omitempty"`
	// Open (recovery time): failures not recovered by To, not counted.
	Open int `json:"open,omitempty"`
}

// Rate is Count out of Of change deployments.
type Rate struct {
	Count int     `json:"count"`
	Of    int     `json:"of"`
	Ratio float64 `json:"ratio"`
	Band  Band    `json:"band"`
	// The change failure rate's parts (a failed deployment that was also
	// rolled back is in both, and once in Count).
	Failed     int `json:"failed,omitempty"`
	RolledBack int `json:"rolledBack,omitempty"`
	Hotfixed   int `json:"hotfixed,omitempty"`
}

// Counts are the deployments of the window by how the metrics treat them.
type Counts struct {
	Changes   int `json:"changes"` // finished deployments that brought a commit
	Succeeded int `json:"succeeded"`
	Failed    int `json:"failed"`
	Rollbacks int `json:"rollbacks"`
	Hotfixes  int `json:"hotfixes"`
	// Left out: redeploys of what ran (no new commit) and deployments
	// still running or aborted.
	Redeploys  int `json:"redeploys"`
	Unfinished int `json:"unfinished"`
	// NoChangeData: changes recorded before ferry kept their change (no
	// lead time; never a rollback or hotfix).
	NoChangeData int `json:"noChangeData"`
}

// Compute reads the aggregates of env over [now-since, now] and rates them.
func Compute(ctx context.Context, st store.Store, env string, since time.Duration, now time.Time) (Report, error) {
	to := now.UTC().Truncate(time.Second)
	from := to.Add(-since)
	s, err := st.DORA(ctx, store.DORAQuery{Env: env, From: from, To: to})
	if err != nil {
		return Report{}, err
	}
	return FromStats(env, from, to, s), nil
}

// FromStats turns the store's aggregates of [from, to] into the report.
func FromStats(env string, from, to time.Time, s store.DORAStats) Report {
	days := to.Sub(from).Hours() / 24
	perDay := float64(s.Succeeded) / days
	r := Report{Env: env, From: from, To: to,
		DeploymentFrequency: Frequency{Count: s.Succeeded, PerDay: round(perDay), PerWeek: round(perDay * 7),
			Band: frequencyBand(perDay)},
		LeadTime:          durations(s.LeadTime.Count, s.LeadTime.Median, s.LeadTime.P90, leadTimeBand),
		RecoveryTime:      durations(s.Recovery.Count, s.Recovery.Median, s.Recovery.P90, recoveryBand),
		ChangeFailureRate: rate(s.ChangeFailures, s.Deployments, failureRateBand),
		ReworkRate:        rate(s.Hotfixes, s.Deployments, func(int, float64) Band { return Unrated }),
		Deployments: Counts{Changes: s.Deployments, Succeeded: s.Succeeded, Failed: s.Failed,
			Rollbacks: s.Rollbacks, Hotfixes: s.Hotfixes, Redeploys: s.Redeploys, Unfinished: s.Unfinished,
			NoChangeData: s.NoChangeData},
	}
	r.LeadTime.Skewed, r.RecoveryTime.Open = s.LeadTime.Skewed, s.Recovery.Open
	cfr := &r.ChangeFailureRate
	cfr.Failed, cfr.RolledBack, cfr.Hotfixed = s.Failed, s.RolledBack, s.Hotfixed
	return r
}

func durations(n int, median, p90 time.Duration, band func(int, time.Duration) Band) Durations {
	return Durations{Count: n, MedianSeconds: median.Seconds(), P90Seconds: p90.Seconds(),
		Median: Human(median), P90: Human(p90), Band: band(n, median)}
}

func rate(n, of int, band func(int, float64) Band) Rate {
	r := Rate{Count: n, Of: of}
	if of > 0 {
		r.Ratio = round(float64(n) / float64(of))
	}
	r.Band = band(of, r.Ratio)
	return r
}

// round keeps four decimals: stable JSON, no float noise.
func round(f float64) float64 { return math.Round(f*1e4) / 1e4 }

// Human writes a duration in its two largest units: "3d4h", "2h5m", "40s".
func Human(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d >= day:
		return fmt.Sprintf("%dd%dh", d/day, (d%day)/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%dh%dm", d/time.Hour, (d%time.Hour)/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%ds", d/time.Minute, (d%time.Minute)/time.Second)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}

// NoProductionError: no environment is fed by the last (release) lane.
type NoProductionError struct{ Lane string }

func (e *NoProductionError) Error() string {
	return fmt.Sprintf("no environment is fed by the release lane %q", e.Lane)
}
func (e *NoProductionError) ConfigError() bool { return true }
func (e *NoProductionError) Hint() string      { return "name the environment: ferry dora ENV" }

// DefaultEnv is the production environment: the one the last lane (the
// release lane, where versions are tagged) feeds.
func DefaultEnv(p *platform.Platform) (string, error) {
	lanes := p.Spec.Lanes
	if len(lanes) == 0 {
		return "", &NoProductionError{}
	}
	last := lanes[len(lanes)-1].Name
	env, ok := p.EnvForLane(last)
	if !ok {
		return "", &NoProductionError{Lane: last}
	}
	return env.Name, nil
}
