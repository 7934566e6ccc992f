package platform

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
)

// notifications checks sinks (one kind each, secrets by reference, API
// URLs) and rules (known triggers, declared environments and sinks).
// Messages name where a secret comes from, never a value.
func (v *validator) notifications() {
	n := v.p.Spec.Notifications
	names := map[string]string{}
	for i, s := range n.Sinks {
		base := fmt.Sprintf("spec.notifications.sinks[%d]", i)
		if v.name(base+".name", s.Name) {
			v.dup(names, base+".name", "sink", s.Name)
		}
		v.sink(base, s)
	}
	for i, r := range n.Rules {
		v.rule(fmt.Sprintf("spec.notifications.rules[%d]", i), r, names)
	}
}

func (v *validator) sink(base string, s NotifySink) {
	kinds := s.kinds()
	if len(kinds) != 1 {
		v.addf(base, "set exactly one of slack, webhook, github, gitlab, gitea (got %d)", len(kinds))
		return
	}
	switch {
	case s.Slack != nil:
		v.secret(base+".slack.url", s.Slack.URL)
	case s.Webhook != nil:
		v.secret(base+".webhook.url", s.Webhook.URL)
		v.secret(base+".webhook.secret", s.Webhook.Secret)
	default:
		v.gitHost(base+"."+kinds[0], kinds[0], *s.GitHost())
	}
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// secret checks a SecretRef: exactly one of env and file.
func (v *validator) secret(path string, r SecretRef) {
	switch {
	case r.Env == "" && r.File == "":
		v.addf(path, "%s is required: {env: VAR} or {file: /path/to/secret}", lastField(path))
	case r.Env != "" && r.File != "":
		v.addf(path, "set env or file, not both")
	case r.Env != "" && !envName.MatchString(r.Env):
		v.addf(path+".env", "%q is not an environment variable name", r.Env)
	case r.File != "" && !filepath.IsAbs(r.File):
		v.addf(path+".file", "secret file %q must be an absolute path (a mounted secret, outside the repository)", r.File)
	}
}

func (v *validator) gitHost(base, kind string, g GitHostSink) {
	if g.APIURL == "" {
		v.addf(base+".apiURL", "apiURL is required for gitea (e.g. https://gitea.example.com/api/v1)")
	} else if u, err := url.Parse(g.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		v.addf(base+".apiURL", "apiURL must be an http(s) URL without credentials, e.g. https://api.github.com")
	}
	owner, name, ok := strings.Cut(g.Repository, "/")
	switch {
	case g.Repository == "":
		v.addf(base+".repository", "repository is required (owner/name)")
	case strings.ContainsAny(g.Repository, " \t\n?#%"):
		v.addf(base+".repository", "repository %q is invalid (want owner/name)", g.Repository)
	case kind != SinkGitLab && (!ok || owner == "" || name == "" || strings.Contains(name, "/")):
		v.addf(base+".repository", "repository %q is invalid (want owner/name)", g.Repository)
	}
	v.secret(base+".token", g.Token)
	if g.Context == "" || strings.ContainsAny(g.Context, "\n\r") {
		v.addf(base+".context", "context must be a non-empty single line")
	}
	if g.Deployments && kind != SinkGitHub {
		v.addf(base+".deployments", "deployments are recorded on github only; %s gets commit statuses", kind)
	}
}

func (v *validator) rule(base string, r NotifyRule, sinks map[string]string) {
	if len(r.Triggers) == 0 {
		v.addf(base+".triggers", "triggers is required (%s)", triggerList())
	}
	for i, t := range r.Triggers {
		if !contains(Triggers, t) {
			v.addf(fmt.Sprintf("%s.triggers[%d]", base, i), "trigger %q is unknown (%s)", t, triggerList())
		}
	}
	for i, e := range r.Environments {
		v.env(fmt.Sprintf("%s.environments[%d]", base, i), e)
	}
	if len(r.Sinks) == 0 {
		v.addf(base+".sinks", "sinks is required (the names of sinks under notifications.sinks)")
	}
	for i, s := range r.Sinks {
		if _, ok := sinks[s]; !ok {
			v.addf(fmt.Sprintf("%s.sinks[%d]", base, i), "sink %q is not declared under notifications.sinks", s)
		}
	}
}

func triggerList() string {
	names := make([]string, len(Triggers))
	for i, t := range Triggers {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}
