package kube

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/fluxcd/cli-utils/pkg/kstatus/polling"
	"github.com/fluxcd/pkg/ssa"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
)

// FieldManager is the server-side apply field manager of every ferry write.
const FieldManager = "ferry"

// Sentinel errors.
var (
	// ErrUnreachable: the cluster did not answer.
	ErrUnreachable = errors.New("cluster unreachable")
	// ErrExecPluginRefused: the kubeconfig user runs a credential plugin
	// and the platform does not allow exec plugins.
	ErrExecPluginRefused = errors.New("kubeconfig credential plugin refused")
	// ErrDryRun: at least one object failed the server-side dry-run.
	ErrDryRun = errors.New("server-side dry-run failed")
	// ErrUnhealthy: objects did not become healthy in time.
	ErrUnhealthy = errors.New("objects not healthy")
)

// Options tune a Client.
type Options struct {
	// Kubeconfig is the file ("" uses $KUBECONFIG or ~/.kube/config).
	Kubeconfig string
	// Context is the kubeconfig context ("" uses the current one).
	Context string
	// AllowExecPlugins permits exec and auth-provider credential plugins.
	AllowExecPlugins bool
	// Workers bounds concurrent requests (default 32).
	Workers int
	// QPS and Burst of the client-side rate limiter (default 2000/4000: the
	// worker pool is the real bound).
	QPS   float32
	Burst int
	// Timeout bounds each request (default 30s).
	Timeout time.Duration
	// WrapTransport, when set, wraps the HTTP transport (request counting
	// in the benchmark).
	WrapTransport func(http.RoundTripper) http.RoundTripper
}

func (o *Options) defaults() {
	if o.Workers <= 0 {
		o.Workers = 32
	}
	if o.QPS == 0 {
		o.QPS = 2000
	}
	if o.Burst == 0 {
		o.Burst = 4000
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
}

// Client talks to one cluster.
type Client struct {
	c       client.Client
	mapper  meta.RESTMapper
	rm      *ssa.ResourceManager
	disc    discovery.DiscoveryInterface
	raw     rest.Interface // apply requests whose response only needs its resourceVersion
	workers int
	// Context names the kubeconfig context, for messages.
	Context string
}

// Connect builds a Client from a kubeconfig context. It does not contact
// the cluster; Ping does.
func Connect(opts Options) (*Client, error) {
	cfg, err := RESTConfig(opts)
	if err != nil {
		return nil, err
	}
	c, err := FromConfig(cfg, opts)
	if err != nil {
		return nil, err
	}
	c.Context = opts.Context
	return c, nil
}

// RESTConfig loads the context's rest.Config, refusing credential plugins
// unless allowed.
func RESTConfig(opts Options) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if opts.Kubeconfig != "" {
		rules.ExplicitPath = opts.Kubeconfig
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
		&clientcmd.ConfigOverrides{CurrentContext: opts.Context})
	raw, err := cc.RawConfig()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig: %w", err)
	}
	name := opts.Context
	if name == "" {
		name = raw.CurrentContext
	}
	kctx, ok := raw.Contexts[name]
	if !ok {
		return nil, fmt.Errorf("load kubeconfig: context %q not found", name)
	}
	if ai, ok := raw.AuthInfos[kctx.AuthInfo]; ok && (ai.Exec != nil || ai.AuthProvider != nil) && !opts.AllowExecPlugins {
		return nil, fmt.Errorf("context %q: %w (set spec.security.allowExecPlugins to allow)", name, ErrExecPluginRefused)
	}
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig context %q: %w", name, err)
	}
	return cfg, nil
}

// FromConfig builds a Client from a rest.Config.
func FromConfig(cfg *rest.Config, opts Options) (*Client, error) {
	silenceControllerRuntime()
	opts.defaults()
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst, cfg.Timeout = opts.QPS, opts.Burst, opts.Timeout
	cfg.UserAgent = "ferry"
	if opts.WrapTransport != nil {
		cfg.Wrap(opts.WrapTransport)
	}
	if !opts.AllowExecPlugins && (cfg.ExecProvider != nil || cfg.AuthProvider != nil) {
		return nil, ErrExecPluginRefused
	}
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("kube client: %w", err)
	}
	mapper, err := apiutil.NewDynamicRESTMapper(cfg, hc)
	if err != nil {
		return nil, fmt.Errorf("kube client: %w", err)
	}
	c, err := client.NewWithWatch(cfg, client.Options{Scheme: scheme.Scheme, Mapper: mapper, HTTPClient: hc})
	if err != nil {
		return nil, fmt.Errorf("kube client: %w", err)
	}
	disc, err := discovery.NewDiscoveryClientForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, fmt.Errorf("kube client: %w", err)
	}
	poller := polling.NewStatusPoller(c, mapper, polling.Options{})
	rm := ssa.NewResourceManager(c, poller, ssa.Owner{Field: FieldManager, Group: OwnerGroup})
	rm.SetConcurrency(opts.Workers)
	rc := rest.CopyConfig(cfg)
	rc.GroupVersion = &schema.GroupVersion{}
	rc.APIPath = "/"
	rc.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
	raw, err := rest.RESTClientForConfigAndClient(rc, hc)
	if err != nil {
		return nil, fmt.Errorf("kube client: %w", err)
	}
	return &Client{c: c, mapper: mapper, rm: rm, disc: disc, raw: raw, workers: opts.Workers}, nil
}

// Ping checks that the cluster answers.
func (c *Client) Ping(ctx context.Context) error {
	done := make(chan error, 1)
	go func() {
		_, err := c.disc.ServerVersion()
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%w: context %q: %s", ErrUnreachable, c.Context, safeErr(err))
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%w: context %q: %w", ErrUnreachable, c.Context, ctx.Err())
	}
}

// safeErr keeps the message of a transport error, which names the server URL
// but never credentials (client-go does not put tokens in errors).
func safeErr(err error) string { return err.Error() }

// Raw returns the controller-runtime client (tests and benchmarks).
func (c *Client) Raw() client.Client { return c.c }
