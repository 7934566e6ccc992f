package agent

import (
	"errors"
	"log/slog"
	"os"
	"time"

	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/metrics"
	"ferry.dev/ferry/internal/notify"
	"ferry.dev/ferry/internal/store"
)

// Config configures an Agent. Source and Store are required.
type Config struct {
	// Source is the remote the mirror clones: a URL or a directory path.
	Source string
	// StateDir holds the mirror (default .ferry/agent under the cwd).
	StateDir string
	// Credentials for the remote; never logged.
	Credentials Credentials
	// Store records everything and holds the leader lease and the
	// environment locks. The caller closes it.
	Store store.Store
	// Log gets JSON lines in ferry serve (default: discarded).
	Log *slog.Logger
	// Actor names the agent in records (default "ferry-agent").
	Actor string
	// Identity names this process in the lease (default actor@host pid N).
	Identity string
	// PollInterval overrides spec.agent.pollInterval when set.
	PollInterval time.Duration
	// Workers bounds how many environments reconcile at once (default 4).
	Workers int
	// LeaseTTL is the leader lease's lifetime without renewal (default
	// 15s, renewed every third of it).
	LeaseTTL time.Duration
	// KubeLease, when set, elects the leader with a Kubernetes Lease
	// instead of the store lease.
	KubeLease *KubeLease
	// Grace is how long in-flight syncs may finish after Stop (default 30s).
	Grace time.Duration
	// BackoffBase and BackoffMax bound retries of transient failures
	// (default 1s and 5m).
	BackoffBase, BackoffMax time.Duration
	// HintInterval is how often the leader reads webhooks that followers
	// received (default 1s).
	HintInterval time.Duration
	// Deploy is the base of every sync (state dir for Terraform, lock TTL,
	// cluster connections, health timeout).
	Deploy deploy.Options
	// NoWatch turns off the watches on managed Kubernetes objects that
	// let a hand edit be seen within seconds; drift is then found on the
	// interval alone.
	NoWatch bool
	// Metrics, when set, get what the agent does (/metrics).
	Metrics *metrics.Metrics
	// Notify, when set, delivers notifications: the use cases' (sync,
	// promote) and the agent's own (drift, health degraded). The caller
	// closes it after Run returns.
	Notify *notify.Dispatcher
}

// ActorName is who the agent's records name by default.
const ActorName = "ferry-agent"

func (c *Config) defaults() error {
	if c.Source == "" {
		return errors.New("agent: no repository to watch")
	}
	if c.Store == nil {
		return errors.New("agent: no store")
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Actor == "" {
		c.Actor = ActorName
	}
	if c.Identity == "" {
		host, _ := os.Hostname()
		c.Identity = c.Actor + "@" + host + " pid " + itoa(os.Getpid())
	}
	if c.StateDir == "" {
		c.StateDir = ".ferry/agent"
	}
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 15 * time.Second
	}
	if c.Grace <= 0 {
		c.Grace = 30 * time.Second
	}
	if c.BackoffBase <= 0 {
		c.BackoffBase = time.Second
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = 5 * time.Minute
	}
	if c.KubeLease != nil && (c.KubeLease.REST == nil || c.KubeLease.Namespace == "" || c.KubeLease.Name == "") {
		return errors.New("agent: a Kubernetes lease needs a cluster, a namespace and a name")
	}
	if c.HintInterval <= 0 {
		c.HintInterval = time.Second
	}
	// The agent renders and connects to the same targets at every
	// reconcile: both are kept (deploy.RenderCache, deploy.ClientCache).
	if c.Deploy.Renders == nil {
		c.Deploy.Renders = deploy.NewRenderCache(renderCacheEntries)
	}
	c.Deploy.Connect = deploy.NewClientCache(clientCacheTTL, c.Deploy.Connect).Connect
	return nil
}

const (
	// renderCacheEntries is (revision, environment) pairs: every
	// environment's deployed revision and the one being synced, with room.
	renderCacheEntries = 32
	clientCacheTTL     = 10 * time.Minute
)
