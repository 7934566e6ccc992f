package platform

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// notifyDoc is a valid notifications section (after header).
const notifyDoc = `  notifications:
    sinks:
      - name: team
        slack: {url: {env: SLACK_URL}}
      - name: audit
        webhook:
          url: {env: AUDIT_URL}
          secret: {file: /run/secrets/audit-key}
      - name: gh
        github: {repository: acme/platform, token: {env: GITHUB_TOKEN}, deployments: true}
      - name: gl
        gitlab: {repository: acme/infra/platform, token: {env: GITLAB_TOKEN}}
      - name: tea
        gitea: {apiURL: "https://git.example.com/api/v1", repository: acme/platform, token: {env: GITEA_TOKEN}, context: ci/ferry}
    rules:
      - triggers: [on-deployed, on-deploy-failed]
        environments: [production]
        sinks: [team, gh]
      - triggers: [on-drift, on-deploy-failed]
        sinks: [audit, team]
`

func TestNotificationsLoadAndDefaults(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, repo(t, header+notifyDoc))
	n := p.Spec.Notifications
	if got := n.Sinks[2].GitHub.APIURL; got != DefaultGitHubAPI {
		t.Errorf("github apiURL = %q, want the default %q", got, DefaultGitHubAPI)
	}
	if got := n.Sinks[3].GitLab.APIURL; got != DefaultGitLabAPI {
		t.Errorf("gitlab apiURL = %q, want the default %q", got, DefaultGitLabAPI)
	}
	if got := n.Sinks[4].Gitea.Context; got != "ci/ferry" {
		t.Errorf("gitea context = %q, want the written ci/ferry", got)
	}
	if got := n.Sinks[2].GitHub.Context; got != DefaultStatusContext {
		t.Errorf("github context = %q, want %q", got, DefaultStatusContext)
	}
	for _, s := range n.Sinks {
		if s.Kind() == "" {
			t.Errorf("sink %s has no kind", s.Name)
		}
	}
}

func TestSinksFor(t *testing.T) {
	t.Parallel()
	n := mustLoad(t, repo(t, header+notifyDoc)).Spec.Notifications
	cases := []struct {
		trigger Trigger
		env     string
		want    []string
	}{
		{OnDeployed, "production", []string{"team", "gh"}},
		{OnDeployed, "staging", nil},
		{OnDeployFailed, "production", []string{"team", "audit", "gh"}}, // declaration order, once each
		{OnDeployFailed, "dev", []string{"team", "audit"}},
		{OnDrift, "", []string{"team", "audit"}},
		{OnReleased, "production", nil},
	}
	for _, tc := range cases {
		var got []string
		for _, s := range n.SinksFor(tc.trigger, tc.env) {
			got = append(got, s.Name)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SinksFor(%s, %q) = %v, want %v", tc.trigger, tc.env, got, tc.want)
		}
	}
}

func TestNotificationProblems(t *testing.T) {
	t.Parallel()
	runErrorCases(t, []errorCase{
		{name: "inline secret is refused and not echoed",
			doc:  "  notifications:\n    sinks:\n      - name: team\n        slack: {url: \"https://hooks.slack.com/services/T0/B0/SECRETVALUE\"}\n",
			want: []wantProblem{{9, "spec.notifications.sinks[0].slack.url", "secrets are never written into ferry.yaml"}}},
		{name: "no kind and two kinds",
			doc: "  notifications:\n    sinks:\n      - name: a\n      - name: b\n        slack: {url: {env: A}}\n        webhook: {url: {env: B}, secret: {env: C}}\n",
			want: []wantProblem{{8, "spec.notifications.sinks[0]", "exactly one of"},
				{9, "spec.notifications.sinks[1]", "exactly one of"}}},
		{name: "secret refs",
			doc: "  notifications:\n    sinks:\n      - name: a\n        webhook:\n          url: {env: A, file: /x}\n          secret: {file: keys/hmac}\n" +
				"      - name: b\n        slack: {url: {env: \"1BAD\"}}\n      - name: c\n        slack: {url: {}}\n",
			want: []wantProblem{{10, "spec.notifications.sinks[0].webhook.url", "not both"},
				{11, "spec.notifications.sinks[0].webhook.secret.file", "absolute path"},
				{13, "spec.notifications.sinks[1].slack.url.env", "not an environment variable name"},
				{15, "spec.notifications.sinks[2].slack.url", "url is required"}}},
		{name: "git hosts",
			doc: "  notifications:\n    sinks:\n      - name: a\n        gitea: {repository: acme/p, token: {env: T}}\n" +
				"      - name: b\n        github: {apiURL: \"ftp://x\", repository: acme, token: {env: T}}\n" +
				"      - name: c\n        gitlab: {repository: g/p, deployments: true}\n",
			want: []wantProblem{{9, "spec.notifications.sinks[0].gitea.apiURL", "apiURL is required for gitea"},
				{11, "spec.notifications.sinks[1].github.apiURL", "http(s) URL"},
				{11, "spec.notifications.sinks[1].github.repository", "want owner/name"},
				{13, "spec.notifications.sinks[2].gitlab.token", "token is required"},
				{13, "spec.notifications.sinks[2].gitlab.deployments", "github only"}}},
		{name: "rules",
			doc: "  notifications:\n    sinks:\n      - name: a\n        slack: {url: {env: A}}\n      - name: a\n        slack: {url: {env: B}}\n" +
				"    rules:\n      - triggers: [on-deploy, on-drift]\n        environments: [prod]\n        sinks: [a, b]\n      - {}\n",
			want: []wantProblem{{10, "spec.notifications.sinks[1].name", "duplicate sink"},
				{13, "spec.notifications.rules[0].triggers[0]", "trigger \"on-deploy\" is unknown"},
				{14, "spec.notifications.rules[0].environments[0]", "environment \"prod\" is not declared"},
				{15, "spec.notifications.rules[0].sinks[1]", "sink \"b\" is not declared"},
				{16, "spec.notifications.rules[1].triggers", "triggers is required"},
				{16, "spec.notifications.rules[1].sinks", "sinks is required"}}},
	})
}

// TestInlineSecretNotEchoed: whatever problem a secret written inline
// causes, its value is in no message.
func TestInlineSecretNotEchoed(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{
		"  notifications:\n    sinks:\n      - name: a\n        webhook: {url: {env: A}, secret: s3cr3t-VALUE}\n",
		"  notifications:\n    sinks:\n      - name: a\n        github: {repository: a/b, token: [s3cr3t-VALUE]}\n",
		"  notifications:\n    sinks:\n      - name: a\n        slack: {url: {s3cr3t-VALUE: x}}\n",
	} {
		_, err := Parse([]byte(header+doc), FileName, "")
		if err == nil {
			t.Fatalf("want a problem for\n%s", doc)
		}
		if strings.Contains(err.Error(), "VALUE") {
			t.Errorf("a problem echoes the secret: %v", err)
		}
	}
}

func TestSecretRefResolve(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "key")
	if err := os.WriteFile(file, []byte("file-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FERRY_TEST_SECRET", "env-secret")
	for _, tc := range []struct {
		ref  SecretRef
		want string
	}{{SecretRef{Env: "FERRY_TEST_SECRET"}, "env-secret"}, {SecretRef{File: file}, "file-secret"}} {
		if got, err := tc.ref.Resolve(); err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.ref, got, err, tc.want)
		}
	}
	_, err := SecretRef{Env: "FERRY_TEST_UNSET_SECRET"}.Resolve()
	if !errors.Is(err, ErrSecretMissing) || !strings.Contains(err.Error(), "FERRY_TEST_UNSET_SECRET") {
		t.Errorf("unset env: got %v, want ErrSecretMissing naming the variable", err)
	}
	if _, err := (SecretRef{File: filepath.Join(dir, "missing")}).Resolve(); err == nil {
		t.Error("missing file: want an error")
	}
}
