package store

import (
	"context"
	"errors"
	"time"
)

// Store records what ferry did and holds per-environment locks. Every method
// is transactional: a write either lands whole or not at all.
type Store interface {
	// RecordCheckRun stores a finished check run and returns its ID.
	RecordCheckRun(ctx context.Context, r CheckRun) (int64, error)
	// CheckRun returns one check run by ID (ErrNotFound).
	CheckRun(ctx context.Context, id int64) (CheckRun, error)
	// LatestCheckRun returns the newest check run of a revision (ErrNotFound).
	LatestCheckRun(ctx context.Context, revision string) (CheckRun, error)
	// CheckRuns lists check runs newest first.
	CheckRuns(ctx context.Context, f CheckRunFilter) ([]CheckRun, error)

	// RecordPromotion stores a promotion or release and returns its ID.
	RecordPromotion(ctx context.Context, p Promotion) (int64, error)
	// Promotions lists promotions newest first.
	Promotions(ctx context.Context, f PromotionFilter) ([]Promotion, error)
	// Promotion returns one promotion by ID (ErrNotFound).
	Promotion(ctx context.Context, id int64) (Promotion, error)

	// StartDeployment records a running deployment and returns its ID. A
	// rollback or hotfix change marks the previous deployment of the
	// environment that brought a change as remediated by it.
	StartDeployment(ctx context.Context, d Deployment) (int64, error)
	// FinishDeployment sets a deployment's final status, summary, targets,
	// inventory and end time. Finishing a finished deployment is an error.
	FinishDeployment(ctx context.Context, id int64, f DeploymentResult) error
	// Deployment returns one deployment by ID (ErrNotFound).
	Deployment(ctx context.Context, id int64) (Deployment, error)
	// Deployments lists deployments newest first.
	Deployments(ctx context.Context, f DeploymentFilter) ([]Deployment, error)
	// DeploymentsEach is Deployments of each filter, in one round trip.
	DeploymentsEach(ctx context.Context, fs []DeploymentFilter) ([][]Deployment, error)

	// AppendEvent adds an entry to the audit event log.
	AppendEvent(ctx context.Context, e Event) (int64, error)
	// Events lists events newest first.
	Events(ctx context.Context, f EventFilter) ([]Event, error)
	// EventsEach is Events of each filter, in one round trip.
	EventsEach(ctx context.Context, fs []EventFilter) ([][]Event, error)

	// AcquireLock takes the named lock for owner until now+ttl. A lock whose
	// expiry has passed is free. Returns *LockedError (errors.Is ErrLocked)
	// when the lock is held, by another owner or by the same one: locks are
	// not re-entrant, so two goroutines of one process exclude each other.
	AcquireLock(ctx context.Context, name, owner string, ttl time.Duration) (Lock, error)
	// RenewLock extends a held lock; ErrLockLost if it expired and was taken.
	// An expired lock counts as lost even when nobody took it yet, because
	// MarkAborted may already have aborted the work it guarded.
	RenewLock(ctx context.Context, l Lock, ttl time.Duration) (Lock, error)
	// ReleaseLock frees a held lock; releasing a lost lock is not an error.
	ReleaseLock(ctx context.Context, l Lock) error

	// Tallies counts finished deployments per target and status, and
	// promotions per kind and lanes, in aggregate queries.
	Tallies(ctx context.Context) (Tallies, error)
	// LeadTimes is a histogram per environment of its succeeded change
	// deployments' lead times over bounds (seconds, ascending).
	LeadTimes(ctx context.Context, bounds []float64) ([]LeadTimeHistogram, error)

	// MarkAborted marks as aborted every deployment of env (all environments
	// when env is "") that is still running although its environment lock
	// (EnvLockName) is free or expired, or was taken again after the
	// deployment started: the process that ran it died or lost the lock. Each
	// one gets an end time and a "deployment.aborted" event, in one
	// transaction. It returns the IDs it marked, oldest first. A deployment
	// must therefore only run while its process holds EnvLockName(env).
	MarkAborted(ctx context.Context, env string) ([]int64, error)

	// DORA aggregates the deployments of one environment over a window into
	// the DORA figures (see DORAStats), in SQL.
	DORA(ctx context.Context, q DORAQuery) (DORAStats, error)

	// CreateToken stores an API token's record (its hash, never the
	// token); ErrExists when an unrevoked token has the name.
	CreateToken(ctx context.Context, t Token) (Token, error)
	// TokenByHash returns the unrevoked token of a hash (ErrNotFound).
	TokenByHash(ctx context.Context, hash string) (Token, error)
	// Tokens lists every token record, revoked ones too.
	Tokens(ctx context.Context) ([]Token, error)
	// RevokeToken revokes the unrevoked token of a name (ErrNotFound).
	RevokeToken(ctx context.Context, name string) error
	// TouchToken sets a token's last use.
	TouchToken(ctx context.Context, id int64, at time.Time) error
	// Locks lists the locks held now, without their tokens.
	Locks(ctx context.Context) ([]Lock, error)

	Close() error
}

// Sentinel errors.
var (
	ErrNotFound = errors.New("not found")
	ErrLocked   = errors.New("locked")
	ErrLockLost = errors.New("lock lost")
	// ErrFinished: FinishDeployment on a deployment that is not running.
	ErrFinished = errors.New("deployment already finished")
	// ErrInvalid: an argument the store refuses (empty name, bad status,
	// non-JSON event data, ttl <= 0).
	ErrInvalid = errors.New("invalid argument")
)

// EnvLockName is the name of the lock a process holds while it deploys env.
func EnvLockName(env string) string { return "env/" + env }

// Status of a deployment or check run.
type Status string

const (
	StatusRunning   Status = "running"
	StatusSucceeded Status = "succeeded"
	StatusFailed    Status = "failed"
	// StatusAborted marks a deployment whose process died (found running
	// after its lock expired).
	StatusAborted Status = "aborted"
)

// CheckRun is one run of the check pipeline on a revision.
type CheckRun struct {
	ID        int64          `json:"id"`
	Revision  string         `json:"revision"`
	Env       string         `json:"env,omitempty"`
	Passed    bool           `json:"passed"`
	Counts    map[string]int `json:"counts"` // findings by severity
	Summary   string         `json:"summary"`
	StartedAt time.Time      `json:"startedAt"`
	EndedAt   time.Time      `json:"endedAt"`
	// Findings are the run's findings, most severe first, at most
	// MaxFindings of them; FindingsTotal is how many the run had (the
	// rest were not kept). CheckRuns lists runs without their findings.
	Findings      []Finding `json:"findings,omitempty"`
	FindingsTotal int       `json:"findingsTotal"`
}

// MaxFindings is how many findings of one check run the store keeps.
const MaxFindings = 500

// Finding is one finding of a check run as recorded. Message is the
// rule's own, which never quotes a secret (the secret rules show a short
// prefix and the length).
type Finding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	File     string `json:"file"`
	Line     int    `json:"line,omitempty"`
	Message  string `json:"message"`
	// Resource is the Terraform address or Kubernetes object, when known.
	Resource string `json:"resource,omitempty"`
	Env      string `json:"env,omitempty"`
	// Doc is the rule's documentation (its help URL, else its entry in
	// the rule reference).
	Doc string `json:"doc,omitempty"`
	// Suppressed is the suppression's reason for a suppressed finding.
	Suppressed string `json:"suppressed,omitempty"`
}

// CheckRunFilter narrows CheckRuns; zero fields match everything.
type CheckRunFilter struct {
	Revision string
	// Before keeps check runs with a smaller ID (the next page).
	Before int64
	Limit  int
}

// Promotion is a lane move made by ferry: a promotion, a release, a topic
// finish or a rollback commit.
type Promotion struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"` // promote, release, finish, rollback
	From      string    `json:"from"`
	To        string    `json:"to"`
	Revision  string    `json:"revision"` // the promoted source revision
	Commit    string    `json:"commit"`   // the commit ferry made on the lane
	Version   string    `json:"version,omitempty"`
	Evidence  []string  `json:"evidence,omitempty"` // e.g. "check-run:12", "deployment:7"
	Override  string    `json:"override,omitempty"` // break-glass reason
	Actor     string    `json:"actor"`
	CreatedAt time.Time `json:"createdAt"`
	// Gates are the verdicts the move passed, in the order they were
	// checked (nil when none were recorded: no gates, or a move rebuilt
	// from its commit's trailers).
	Gates []Gate `json:"gates,omitempty"`
	// Changelog is a release's changelog section (Markdown).
	Changelog string `json:"changelog,omitempty"`
}

// Gate is one gate's verdict as a promotion recorded it.
type Gate struct {
	Name       string   `json:"name"`
	Passed     bool     `json:"passed"`
	Reason     string   `json:"reason"`
	Evidence   []string `json:"evidence,omitempty"`
	Overridden bool     `json:"overridden,omitempty"`
}

// PromotionFilter narrows Promotions; zero fields match everything.
type PromotionFilter struct {
	Kind string
	To   string
	// Before keeps promotions with a smaller ID (the next page).
	Before int64
	Limit  int
}

// Deployment is one sync of an environment at a revision.
type Deployment struct {
	ID        int64          `json:"id"`
	Env       string         `json:"env"`
	Target    string         `json:"target,omitempty"` // empty: the whole environment
	Revision  string         `json:"revision"`
	Version   string         `json:"version,omitempty"`
	Status    Status         `json:"status"`
	Healthy   bool           `json:"healthy"`
	Verified  bool           `json:"verified"`
	Summary   string         `json:"summary,omitempty"`
	Targets   []TargetResult `json:"targets,omitempty"`
	Inventory []string       `json:"inventory,omitempty"` // object IDs applied
	Actor     string         `json:"actor"`
	StartedAt time.Time      `json:"startedAt"`
	EndedAt   time.Time      `json:"endedAt,omitzero"`
	// Change is what the deployment brought, read from Git when it started;
	// nil for deployments recorded before ferry kept it (or when Git could
	// not tell).
	Change *Change `json:"change,omitempty"`
	// RemediatedBy is set when the next deployment of the environment was
	// a rollback or a hotfix: this one needed remediation.
	RemediatedBy ChangeKind `json:"remediatedBy,omitempty"`
	// Changes are the objects and resources the deployment changed (or
	// found unchanged), at most MaxChanges; ChangesTotal is how many there
	// were. Deployment returns them; lists leave Changes out.
	Changes      []ObjectChange `json:"changes,omitempty"`
	ChangesTotal int            `json:"changesTotal,omitempty"`
}

// MaxChanges is how many object changes of one deployment the store keeps.
const MaxChanges = 1000

// ObjectChange is what a deployment did to one Kubernetes object or one
// Terraform resource.
type ObjectChange struct {
	Target    string `json:"target"`
	Component string `json:"component"`
	// Object is a Kubernetes object ("apps/v1/Deployment/web/web",
	// apiVersion/Kind/namespace/name) or a Terraform resource address.
	Object string `json:"object"`
	// Action: create, configure, unchanged, prune (Kubernetes); create,
	// update, delete, replace, read (Terraform).
	Action string `json:"action"`
	// Fields are the changed field paths of a configured object, when
	// known; never their values.
	Fields []string `json:"fields,omitempty"`
}

// ChangeKind says why a deployment happened.
type ChangeKind string

const (
	// ChangeNormal: the lane moved forward the planned way.
	ChangeNormal ChangeKind = "change"
	// ChangeRollback: the revision is a ferry rollback commit.
	ChangeRollback ChangeKind = "rollback"
	// ChangeHotfix: the change includes a hotfix topic branch's work.
	ChangeHotfix ChangeKind = "hotfix"
)

// Change is what a deployment brought to its environment: the commits its
// revision has that the environment's last successful deployment lacked.
type Change struct {
	Kind ChangeKind `json:"kind"`
	// Commits new to the environment; 0 is a redeploy of what runs.
	Commits int `json:"commits"`
	// FirstCommitAt is the oldest of those commits' author time (zero when
	// Commits is 0). Lead time for changes starts here.
	FirstCommitAt time.Time `json:"firstCommitAt,omitzero"`
}

// TargetResult is the outcome of one target of a deployment.
type TargetResult struct {
	Target     string            `json:"target"`
	Status     Status            `json:"status"`
	Components []ComponentResult `json:"components,omitempty"`
	Error      string            `json:"error,omitempty"`
}

// ComponentResult is the outcome of one component on one target.
type ComponentResult struct {
	Component string        `json:"component"`
	Status    Status        `json:"status"`
	Summary   string        `json:"summary,omitempty"` // e.g. "2 to add, 0 to change, 0 to destroy"
	Duration  time.Duration `json:"duration"`
	Error     string        `json:"error,omitempty"`
}

// DeploymentResult is what FinishDeployment writes.
type DeploymentResult struct {
	Status    Status
	Healthy   bool
	Verified  bool
	Summary   string
	Targets   []TargetResult
	Inventory []string
	EndedAt   time.Time
	// Changes are kept up to MaxChanges; ChangesTotal (when larger than
	// len(Changes)) says how many there were.
	Changes      []ObjectChange
	ChangesTotal int
}

// DeploymentFilter narrows Deployments; zero fields match everything.
type DeploymentFilter struct {
	Env      string
	Target   string
	Revision string
	Status   Status
	// Before keeps deployments with a smaller ID: the next page after a
	// page whose last deployment had that ID.
	Before int64
	Limit  int
}

// Event is one entry of the audit log.
type Event struct {
	ID      int64     `json:"id"`
	Time    time.Time `json:"time"`
	Kind    string    `json:"kind"` // e.g. "promotion", "deployment.started", "drift"
	Env     string    `json:"env,omitempty"`
	Actor   string    `json:"actor,omitempty"`
	Message string    `json:"message"`
	Data    string    `json:"data,omitempty"` // JSON
}

// EventFilter narrows Events; zero fields match everything.
type EventFilter struct {
	Kind  string
	Env   string
	Since time.Time
	// Before keeps events with a smaller ID (the next page, newest first).
	Before int64
	// After keeps events with a greater ID and lists them oldest first: a
	// stream's catch-up from the last event it sent.
	After int64
	Limit int
}

// Lock is a held lock.
type Lock struct {
	Name      string
	Owner     string
	Token     string // unique per acquisition
	ExpiresAt time.Time
}

// LockedError says who holds a lock and until when.
type LockedError struct {
	Name      string
	Owner     string
	ExpiresAt time.Time
}

func (e *LockedError) Error() string {
	return "lock " + e.Name + " held by " + e.Owner + " until " + e.ExpiresAt.UTC().Format(time.RFC3339)
}
func (e *LockedError) Is(target error) bool { return target == ErrLocked }
