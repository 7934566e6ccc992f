package platform

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// Notifications says who hears about what happens: sinks are where
// messages go, rules pick the triggers and environments each sink hears.
type Notifications struct {
	Sinks []NotifySink `yaml:"sinks,omitempty" json:"sinks,omitempty"`
	Rules []NotifyRule `yaml:"rules,omitempty" json:"rules,omitempty"`
}

// Trigger is something that happened that a rule can notify about.
type Trigger string

// The triggers.
const (
	OnDeployed         Trigger = "on-deployed"          // a sync succeeded
	OnDeployFailed     Trigger = "on-deploy-failed"     // a sync failed
	OnHealthDegraded   Trigger = "on-health-degraded"   // a deployed environment is no longer healthy
	OnDrift            Trigger = "on-drift"             // live state differs from the deployed revision
	OnPromotionBlocked Trigger = "on-promotion-blocked" // a promotion's gates refused it
	OnReleased         Trigger = "on-released"          // a release was tagged
	OnRolledBack       Trigger = "on-rolled-back"       // a rollback commit was made and synced
)

// Triggers lists every trigger, in the order the docs give them.
var Triggers = []Trigger{OnDeployed, OnDeployFailed, OnHealthDegraded, OnDrift, OnPromotionBlocked, OnReleased, OnRolledBack}

// NotifySink is one place notifications go; exactly one kind is set.
type NotifySink struct {
	Name    string       `yaml:"name" json:"name"`
	Slack   *SlackSink   `yaml:"slack,omitempty" json:"slack,omitempty"`
	Webhook *WebhookSink `yaml:"webhook,omitempty" json:"webhook,omitempty"`
	GitHub  *GitHostSink `yaml:"github,omitempty" json:"github,omitempty"`
	GitLab  *GitHostSink `yaml:"gitlab,omitempty" json:"gitlab,omitempty"`
	Gitea   *GitHostSink `yaml:"gitea,omitempty" json:"gitea,omitempty"`
}

// Sink kinds, as NotifySink.Kind names them.
const (
	SinkSlack   = "slack"
	SinkWebhook = "webhook"
	SinkGitHub  = "github"
	SinkGitLab  = "gitlab"
	SinkGitea   = "gitea"
)

// Kind names the sink's kind ("" when none or several are set).
func (s NotifySink) Kind() string {
	kinds := s.kinds()
	if len(kinds) != 1 {
		return ""
	}
	return kinds[0]
}

func (s NotifySink) kinds() []string {
	var out []string
	for _, k := range []struct {
		name string
		set  bool
	}{{SinkSlack, s.Slack != nil}, {SinkWebhook, s.Webhook != nil}, {SinkGitHub, s.GitHub != nil},
		{SinkGitLab, s.GitLab != nil}, {SinkGitea, s.Gitea != nil}} {
		if k.set {
			out = append(out, k.name)
		}
	}
	return out
}

// GitHost returns the sink's Git host settings (nil for Slack and webhooks).
func (s NotifySink) GitHost() *GitHostSink {
	switch {
	case s.GitHub != nil:
		return s.GitHub
	case s.GitLab != nil:
		return s.GitLab
	}
	return s.Gitea
}

// SlackSink posts to a Slack incoming webhook; its URL is the secret.
type SlackSink struct {
	URL SecretRef `yaml:"url" json:"url"`
}

// WebhookSink posts JSON signed with HMAC-SHA256 under Secret.
type WebhookSink struct {
	URL    SecretRef `yaml:"url" json:"url"`
	Secret SecretRef `yaml:"secret" json:"secret"`
}

// GitHostSink sets a commit status (and, on GitHub, a deployment status)
// on the deployed revision through the host's REST API.
type GitHostSink struct {
	// APIURL is the API root: https://api.github.com (GitHub Enterprise:
	// https://HOST/api/v3), https://gitlab.com/api/v4, https://HOST/api/v1
	// (Gitea, required).
	APIURL string `yaml:"apiURL" json:"apiURL"`
	// Repository is owner/name (GitLab: the project path or numeric ID).
	Repository string    `yaml:"repository" json:"repository"`
	Token      SecretRef `yaml:"token" json:"token"`
	// Context prefixes the status context: CONTEXT/ENV (default "ferry").
	Context string `yaml:"context" json:"context"`
	// Deployments also records a GitHub deployment and its status per
	// environment (GitHub only).
	Deployments bool `yaml:"deployments,omitempty" json:"deployments,omitempty"`
}

// SecretRef names where a secret is read from: an environment variable or
// a file (a mounted secret, by absolute path). Secrets are never written
// into ferry.yaml itself.
type SecretRef struct {
	Env  string `yaml:"env,omitempty" json:"env,omitempty"`
	File string `yaml:"file,omitempty" json:"file,omitempty"`
}

// String says where the secret comes from, never what it is.
func (r SecretRef) String() string {
	if r.File != "" {
		return "file " + r.File
	}
	return "env " + r.Env
}

// ErrSecretMissing: the environment variable or file of a SecretRef is
// not there (or empty).
var ErrSecretMissing = errors.New("secret not set")

// Resolve reads the secret, trailing newlines dropped. Errors name where
// it was looked for, never its value.
func (r SecretRef) Resolve() (string, error) {
	var val string
	switch {
	case r.File != "":
		b, err := os.ReadFile(r.File)
		if err != nil {
			return "", fmt.Errorf("read secret file %s: %w", r.File, errors.Unwrap(err))
		}
		val = string(b)
	case r.Env != "":
		val = os.Getenv(r.Env)
	}
	val = strings.TrimRight(val, "\r\n")
	if val == "" {
		return "", fmt.Errorf("read secret from %s: %w (empty or unset)", r, ErrSecretMissing)
	}
	return val, nil
}

// NotifyRule sends Triggers in Environments (all when empty) to Sinks.
type NotifyRule struct {
	Triggers     []Trigger `yaml:"triggers" json:"triggers"`
	Environments []string  `yaml:"environments,omitempty" json:"environments,omitempty"`
	Sinks        []string  `yaml:"sinks" json:"sinks"`
}

// SinksFor returns the sinks that hear trigger t in env, each once, in
// declaration order. A trigger with no environment (env "") reaches the
// rules that name no environments.
func (n Notifications) SinksFor(t Trigger, env string) []NotifySink {
	want := map[string]bool{}
	for _, r := range n.Rules {
		if contains(r.Triggers, t) && (len(r.Environments) == 0 || contains(r.Environments, env)) {
			for _, s := range r.Sinks {
				want[s] = true
			}
		}
	}
	var out []NotifySink
	for _, s := range n.Sinks {
		if want[s.Name] {
			out = append(out, s)
			delete(want, s.Name)
		}
	}
	return out
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
