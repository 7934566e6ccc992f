package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/logs"
	"ferry.dev/ferry/internal/metrics"
	"ferry.dev/ferry/internal/notify"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/server"
	"ferry.dev/ferry/internal/store"
)

type serveOptions struct {
	g             *Globals
	listen        string
	stateDir      string
	secretFile    string
	metricsToken  string
	poll          time.Duration
	sshKeyFile    string
	tokenFile     string
	logFormat     string
	workers       int
	leaseTTL      time.Duration
	lockTTL       time.Duration
	grace         time.Duration
	healthTimeout time.Duration
	noWatch       bool
	election      string
	leaseNS       string
	leaseName     string
	leaseKubecfg  string
	leaseContext  string
	debugListen   string
	tlsCert       string
	tlsKey        string
}

func newServeCmd(g *Globals) *cobra.Command {
	o := &serveOptions{g: g}
	cmd := &cobra.Command{
		Use:   "serve [--listen ADDR] [--state-dir DIR] [--webhook-secret-file FILE] [--poll-interval DURATION]",
		Short: "Run the agent: keep every environment equal to its lane, on its own",
		Long: `Run ferry's agent. It keeps a private mirror of the repository (--repo: a
directory, whose origin is watched, or a remote URL), polls every lane at
spec.agent.pollInterval with jitter and takes push webhooks as hints on
/hooks/github, /hooks/gitlab, /hooks/gitea, /hooks/bitbucket, /hooks/generic
(secret from --webhook-secret-file or FERRY_WEBHOOK_SECRET). Per environment:
autoSync deploys a new lane head exactly as ferry sync does; without autoSync
the environment is reported out of sync and never applied; drift is checked
every driftInterval and when a managed object is edited (detect records it,
heal syncs the deployed revision back); promotions with auto: true are made
when their gates pass. Several processes may share one store: one leads
(a lease), the others answer /healthz, /readyz and webhooks. SIGTERM stops
taking work and lets in-flight syncs finish for --grace. Logs are JSON lines
on stderr (--log-format ecs: Elastic Common Schema field names).`,
		Example: "  ferry serve\n  ferry serve --repo https://git.example.com/platform.git --state-dir /var/lib/ferry\n" +
			"  FERRY_WEBHOOK_SECRET=... ferry serve --listen :8080 --poll-interval 30s",
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			return o.run(c.Context())
		},
	}
	o.addFlags(cmd)
	return cmd
}

func (o *serveOptions) addFlags(c *cobra.Command) {
	f := c.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:8080", "address for /healthz, /readyz, /metrics, /hooks/ and /api/v1")
	f.StringVar(&o.stateDir, "state-dir", "", "where the mirror lives (default: <repo>/.ferry/agent, or ./.ferry/agent for a URL)")
	f.StringVar(&o.secretFile, "webhook-secret-file", "", "file with the webhook secret (default: $FERRY_WEBHOOK_SECRET)")
	f.StringVar(&o.metricsToken, "metrics-token-file", "", "file with a bearer token /metrics then requires (default: $FERRY_METRICS_TOKEN; unset: /metrics is open)")
	f.DurationVar(&o.poll, "poll-interval", 0, "how often to read every lane (default: spec.agent.pollInterval, 1m)")
	f.StringVar(&o.sshKeyFile, "ssh-key-file", "", "private key for an SSH remote")
	f.StringVar(&o.tokenFile, "git-token-file", "", "file with an HTTPS token for the remote (default: $FERRY_GIT_TOKEN)")
	f.StringVar(&o.logFormat, "log-format", "json", "log lines: json, text, or ecs (JSON with Elastic Common Schema field names, for Filebeat / Elastic Agent)")
	f.IntVar(&o.workers, "workers", 4, "environments reconciled at once")
	f.DurationVar(&o.leaseTTL, "lease-ttl", 15*time.Second, "leader lease lifetime without renewal")
	f.DurationVar(&o.lockTTL, "lock-ttl", time.Minute, "environment lock lifetime without renewal")
	f.DurationVar(&o.grace, "grace", 30*time.Second, "how long in-flight syncs may finish after SIGTERM")
	f.DurationVar(&o.healthTimeout, "health-timeout", 0, "override every environment's healthTimeout")
	f.BoolVar(&o.noWatch, "no-watch", false, "do not watch managed objects (drift only on the interval)")
	f.StringVar(&o.election, "leader-election", "store", "who holds the leader lease: store, or kubernetes (a coordination.k8s.io Lease)")
	f.StringVar(&o.leaseNS, "lease-namespace", "", "namespace of the Kubernetes Lease (default: $POD_NAMESPACE, the pod's namespace, or default)")
	f.StringVar(&o.leaseName, "lease-name", "ferry-agent", "name of the Kubernetes Lease")
	f.StringVar(&o.leaseKubecfg, "lease-kubeconfig", "", "kubeconfig of the cluster holding the Lease (default: in-cluster, else $KUBECONFIG or ~/.kube/config)")
	f.StringVar(&o.leaseContext, "lease-context", "", "kubeconfig context of the cluster holding the Lease (default: the current one)")
	f.StringVar(&o.debugListen, "debug-listen", "", "address for Go's /debug/pprof/ profiles (unset: not served; keep it on loopback)")
	f.StringVar(&o.tlsCert, "tls-cert", "", "serve HTTPS with this certificate (PEM; with --tls-key)")
	f.StringVar(&o.tlsKey, "tls-key", "", "private key of --tls-cert (PEM)")
}

func (o *serveOptions) validate() error {
	if !slices.Contains(logs.Formats, o.logFormat) {
		return usageErr("ferry serve --log-format ecs", "unknown log format %q: use %s", o.logFormat, strings.Join(logs.Formats, ", "))
	}
	if o.workers < 1 || o.leaseTTL < time.Second || o.lockTTL < time.Second || o.poll < 0 {
		return usageErr("ferry serve --help", "--workers must be at least 1, --lease-ttl and --lock-ttl at least 1s, --poll-interval not negative")
	}
	if o.election != "store" && o.election != "kubernetes" {
		return usageErr("ferry serve --leader-election kubernetes", "unknown leader election %q: store or kubernetes", o.election)
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return usageErr("ferry serve --tls-cert cert.pem --tls-key key.pem", "--tls-cert and --tls-key go together")
	}
	if o.tlsCert != "" {
		if _, err := tls.LoadX509KeyPair(o.tlsCert, o.tlsKey); err != nil {
			return usageErr("ferry serve --tls-cert cert.pem --tls-key key.pem", "load TLS key pair: %v", err)
		}
	}
	if o.election == "kubernetes" && o.leaseName == "" {
		return usageErr("ferry serve --leader-election kubernetes --lease-name ferry-agent", "--lease-name is empty")
	}
	return nil
}

func (o *serveOptions) logger() *slog.Logger {
	log, err := logs.New(o.logFormat, o.g.Err, slog.LevelInfo)
	if err != nil { // validate refused it already
		return slog.New(slog.NewJSONHandler(o.g.Err, nil))
	}
	return log
}

func (o *serveOptions) run(ctx context.Context) error {
	log := o.logger()
	secret, err := readSecret(o.secretFile, "FERRY_WEBHOOK_SECRET")
	if err != nil {
		return err
	}
	metricsToken, err := readSecret(o.metricsToken, "FERRY_METRICS_TOKEN")
	if err != nil {
		return err
	}
	token, err := readSecret(o.tokenFile, "FERRY_GIT_TOKEN")
	if err != nil {
		return err
	}
	kl, err := o.kubeLease()
	if err != nil {
		return err
	}
	src, err := o.source(ctx)
	if err != nil {
		return err
	}
	creds := agent.Credentials{SSHKeyFile: o.sshKeyFile, Token: string(token)}
	st, err := src.openStore(ctx, creds)
	if err != nil {
		return err
	}
	defer st.Close()
	// Every write of this process (agent, API) wakes the event stream.
	hub := server.NewHub(st)
	st = hub.Wrap(st)
	nd := notify.New(notify.Options{Store: st, Log: log, Actor: agent.ActorName})
	defer nd.Close(o.grace) // before the store closes: deliveries end recorded
	base := deploy.Options{StateDir: src.deployState, LockTTL: o.lockTTL, HealthTimeout: o.healthTimeout}
	m := metrics.New()
	ag, err := agent.New(ctx, agent.Config{Source: src.url, StateDir: src.stateDir, Credentials: creds, Store: st,
		Log: log, PollInterval: o.poll, Workers: o.workers, LeaseTTL: o.leaseTTL, KubeLease: kl, Grace: o.grace,
		Deploy: base, NoWatch: o.noWatch, Metrics: m, Notify: nd})
	if err != nil {
		return err
	}
	if len(secret) == 0 {
		log.Warn("no webhook secret (--webhook-secret-file or FERRY_WEBHOOK_SECRET): every webhook is refused; polling only")
	}
	return o.serve(ctx, log, ag, server.Config{Agent: ag, Store: st, WebhookSecret: secret, Log: log, Metrics: m,
		MetricsToken: metricsToken, Hub: hub, Backend: server.AgentBackend{Agent: ag, Deploy: base, Notify: nd}})
}

func (o *serveOptions) serve(ctx context.Context, log *slog.Logger, ag *agent.Agent, cfg server.Config) error {
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return usageErr("ferry serve --listen 127.0.0.1:0", "listen on %s: %v", o.listen, err)
	}
	srv := &http.Server{Handler: server.Handler(cfg),
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	scheme := "http"
	if o.tlsCert != "" {
		scheme = "https"
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	log.Info("serving", "listen", ln.Addr().String(), "scheme", scheme)
	if o.debugListen != "" {
		if err := serveDebug(o.debugListen, log); err != nil {
			return err
		}
	}
	go func() {
		var err error
		if o.tlsCert != "" {
			err = srv.ServeTLS(ln, o.tlsCert, o.tlsKey)
		} else {
			err = srv.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server", "error", err.Error())
		}
	}()
	runErr := ag.Run(ctx)
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	log.Info("stopped")
	return runErr
}

// readSecret reads a secret from file, else from the environment variable;
// trailing newlines are dropped. Secrets are never printed.
func readSecret(file, env string) ([]byte, error) {
	if file == "" {
		return []byte(os.Getenv(env)), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, usageErr("ferry serve --help", "read secret file %s: %v", file, errors.Unwrap(err))
	}
	return []byte(strings.TrimRight(string(b), "\r\n")), nil
}

// serveSource is what --repo names: the remote to mirror, where the mirror
// and Terraform state live, and the platform whose store the agent shares.
type serveSource struct {
	url         string
	stateDir    string
	deployState string
	local       *platform.Platform // --repo DIR: its ferry.yaml (for the store)
}

func (o *serveOptions) source(ctx context.Context) (*serveSource, error) {
	if isRemoteURL(o.g.Repo) {
		dir := o.stateDir
		if dir == "" {
			dir = filepath.Join(".ferry", "agent")
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, err
		}
		return &serveSource{url: o.g.Repo, stateDir: abs, deployState: abs}, nil
	}
	dir, err := o.g.RepoDir()
	if err != nil {
		return nil, err
	}
	p, err := platform.Load(dir)
	if err != nil {
		return nil, err
	}
	repo, err := git.Open(dir)
	if err != nil {
		return nil, err
	}
	url := repo.Dir
	if out, err := repo.Run(ctx, "remote", "get-url", "--", p.Spec.Remote); err == nil && strings.TrimSpace(out) != "" {
		url = strings.TrimSpace(out)
		if !isRemoteURL(url) && !filepath.IsAbs(url) {
			url = filepath.Join(repo.Dir, url)
		}
	}
	s := &serveSource{url: url, stateDir: o.stateDir, deployState: filepath.Join(repo.Dir, ".ferry"), local: p}
	if s.stateDir == "" {
		s.stateDir = filepath.Join(repo.Dir, ".ferry", "agent")
	}
	return s, nil
}

// openStore opens the store the agent records into: the directory's own
// (so ferry status there shows what the agent did) or, for a URL, the one
// ferry.yaml on the first lane names, rooted at the state dir.
func (s *serveSource) openStore(ctx context.Context, creds agent.Credentials) (store.Store, error) {
	if s.local != nil {
		return app.OpenStore(ctx, s.local)
	}
	m, err := agent.OpenMirror(ctx, s.url, filepath.Join(s.stateDir, "mirror.git"), creds)
	if err != nil {
		return nil, err
	}
	if err := m.Fetch(ctx); err != nil {
		return nil, err
	}
	p, err := m.FirstLanePlatform(ctx)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	p.Dir = s.stateDir
	return app.OpenStore(ctx, p)
}

// isRemoteURL tells a remote URL (scheme:// or scp-style user@host:path)
// from a directory.
func isRemoteURL(s string) bool {
	if strings.Contains(s, "://") {
		return true
	}
	at, colon := strings.Index(s, "@"), strings.Index(s, ":")
	return at > 0 && colon > at && !strings.Contains(s[:colon], "/")
}
