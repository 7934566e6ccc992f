package server_test

import (
	"encoding/base64"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"ferry.dev/ferry/internal/api"
	"ferry.dev/ferry/internal/auth"
)

// TestSecretsNeverLeak syncs a platform with a Terraform component whose
// variable and output are sensitive, on an agent holding a Git token and a
// webhook secret, with the harness kubeconfig's credentials, then reads
// every endpoint, the action results, the event stream, the server's log
// and every record of the store: none holds an API token, the Git token,
// the webhook secret, a kubeconfig credential or the Terraform value.
func TestSecretsNeverLeak(t *testing.T) {
	const gitToken = "ghp_GitS3cretToken0123456789"
	f := newAPIFixture(t, fixtureOptions{kube: true, terraform: true, gitToken: gitToken})
	stream := f.openStream("viewer")
	a := f.syncEnv("admin", "dev", nil)
	if !strings.Contains(string(a.Result), `"component":"vault"`) {
		t.Fatalf("the vault component was not deployed: %s", a.Result)
	}
	var plan api.Action
	f.must("admin", "POST", "/api/v1/environments/dev/sync", api.SyncRequest{DryRun: true}, http.StatusOK, &plan)
	plan = f.follow("admin", plan)
	// A refused token is logged as refused, never shown.
	revoked := f.createToken("gone", "admin", nil)
	fatalIf(t, f.st.RevokeToken(t.Context(), "gone"))
	f.call(revoked, "GET", "/api/v1/environments", nil)
	f.call("ferry_"+strings.Repeat("A", 43), "GET", "/api/v1/environments", nil)

	var seen strings.Builder
	for _, p := range []string{"/api/v1/whoami", "/api/v1/platform", "/api/v1/lanes", "/api/v1/environments",
		"/api/v1/environments/dev", "/api/v1/status?env=dev", "/api/v1/history?target=dev", "/api/v1/deployments",
		"/api/v1/deployments/" + itoa(a.Deployment), "/api/v1/promotions", "/api/v1/checkruns", "/api/v1/events?limit=500",
		"/api/v1/actions/" + a.ID, "/api/v1/actions/" + plan.ID, "/api/v1/dora?env=dev", "/api/v1/openapi.json"} {
		_, body := f.call("admin", "GET", p, nil)
		seen.WriteString(p + "\n" + string(body) + "\n")
	}
	// The deployment's object changes are there, and hold no value.
	if !strings.Contains(seen.String(), `"object":"terraform_data.db","action":"create"`) {
		t.Errorf("the deployment does not list the vault stack's terraform_data.db as created:\n%s", seen.String())
	}
	time.Sleep(300 * time.Millisecond)
	stream.close()
	seen.WriteString(stream.text())
	where := map[string]string{"responses and stream": seen.String(), "server log": f.logs.String(), "store": storeRows(t, f.st)}

	secrets := map[string]string{"terraform value": tfSecret, "git token": gitToken, "webhook secret": webhookSecret,
		"revoked token": revoked}
	for name, tok := range f.tokens {
		secrets["token "+name] = tok
		secrets["token body "+name] = strings.TrimPrefix(tok, auth.TokenPrefix)
	}
	for name, v := range kubeconfigSecrets(t) {
		secrets[name] = v
	}
	if len(secrets) < 10 {
		t.Fatalf("only %d secrets to look for", len(secrets))
	}
	for in, text := range where {
		for name, secret := range secrets {
			if strings.Contains(text, secret) {
				t.Errorf("the %s holds the %s", in, name)
			}
		}
	}
	if !strings.Contains(f.logs.String(), "unknown or revoked token") {
		t.Error("the refused token was not logged as refused")
	}
}

// kubeconfigSecrets are the credentials of $KUBECONFIG: client keys and
// certificates (raw and base64) and tokens.
func kubeconfigSecrets(t *testing.T) map[string]string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(os.Getenv("KUBECONFIG"))
	fatalIf(t, err)
	out := map[string]string{}
	for name, ai := range cfg.AuthInfos {
		add := func(kind string, b []byte) {
			if len(b) > 64 {
				out["kubeconfig "+name+" "+kind] = string(b[32:64])
				enc := base64.StdEncoding.EncodeToString(b)
				out["kubeconfig "+name+" "+kind+" (base64)"] = enc[40:80]
			}
		}
		add("client key", ai.ClientKeyData)
		if ai.ClientKey != "" {
			b, _ := os.ReadFile(ai.ClientKey)
			add("client key file", b)
		}
		if ai.Token != "" {
			out["kubeconfig "+name+" token"] = ai.Token
		}
	}
	if len(out) == 0 {
		t.Fatal("the harness kubeconfig has no credential to look for")
	}
	return out
}
