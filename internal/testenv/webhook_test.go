package testenv_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"ferry.dev/ferry/internal/testenv"
	"ferry.dev/ferry/internal/webhook"
)

// githubDelivery is what the test server saw of one POST.
type githubDelivery struct {
	event, id string
	signed    bool
	payload   struct {
		Ref, Before, After string
		Repository         struct {
			FullName string `json:"full_name"`
		}
	}
}

// githubServer verifies deliveries the way GitHub's docs say to, independent
// of the webhook package, and records them.
func githubServer(t *testing.T, secret []byte) (*httptest.Server, func() []githubDelivery) {
	t.Helper()
	var mu sync.Mutex
	var got []githubDelivery
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read delivery: %v", err)
		}
		m := hmac.New(sha256.New, secret)
		m.Write(body)
		d := githubDelivery{
			event:  r.Header.Get("X-GitHub-Event"),
			id:     r.Header.Get("X-GitHub-Delivery"),
			signed: hmac.Equal([]byte(r.Header.Get("X-Hub-Signature-256")), []byte("sha256="+hex.EncodeToString(m.Sum(nil)))),
		}
		if err := json.Unmarshal(body, &d.payload); err != nil {
			t.Errorf("decode delivery %q: %v", body, err)
		}
		mu.Lock()
		got = append(got, d)
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv, func() []githubDelivery {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}
}

func TestPushHookDeliversSignedGitHubPush(t *testing.T) {
	t.Parallel()
	secret := []byte("hook-secret")
	srv, deliveries := githubServer(t, secret)
	remote := testenv.GitRemote(t)
	testenv.InstallPushHook(t, remote, srv.URL+"/hooks/github", "github", secret)
	clone := testenv.GitClone(t, remote)

	first := testenv.GitCommitFile(t, clone, "a.txt", "a\n", "chore: a")
	testenv.GitRun(t, clone, "push", "--quiet", "origin", "main")
	// The hook posts synchronously: the delivery is in when push returns.
	got := deliveries()
	if len(got) != 1 {
		t.Fatalf("after the first push the server saw %d deliveries, want 1", len(got))
	}
	d := got[0]
	zero := strings.Repeat("0", len(first))
	if !d.signed || d.event != "push" || d.id == "" || d.payload.Ref != "refs/heads/main" ||
		d.payload.Before != zero || d.payload.After != first || d.payload.Repository.FullName != "remote" {
		t.Fatalf("delivery = %+v, want a signed push of refs/heads/main %s..%s from remote", d, zero, first)
	}

	// One push of a branch and a tag is one delivery per ref.
	second := testenv.GitCommitFile(t, clone, "a.txt", "b\n", "chore: b")
	testenv.GitRun(t, clone, "tag", "v1.0.0")
	testenv.GitRun(t, clone, "push", "--quiet", "origin", "main:develop", "v1.0.0")
	got = deliveries()[1:]
	if len(got) != 2 {
		t.Fatalf("after the second push the server saw %d more deliveries, want 2", len(got))
	}
	refs := []string{}
	for _, d := range got {
		if !d.signed || d.event != "push" || d.payload.After != second || d.id == "" {
			t.Fatalf("delivery = %+v, want a signed push to %s with an id", d, second)
		}
		refs = append(refs, d.payload.Ref)
	}
	slices.Sort(refs)
	if want := []string{"refs/heads/develop", "refs/tags/v1.0.0"}; !slices.Equal(refs, want) {
		t.Fatalf("second push delivered refs %q, want %q", refs, want)
	}
	if got[0].id == got[1].id || got[0].id == d.id {
		t.Fatalf("delivery ids repeat: %q %q %q", d.id, got[0].id, got[1].id)
	}
}

// TestPushHookEveryProviderIsAccepted sends each header set to the real
// receiver, which must take it as a push of the pushed branch.
func TestPushHookEveryProviderIsAccepted(t *testing.T) {
	t.Parallel()
	for _, provider := range []string{"github", "gitlab", "gitea", "bitbucket", "generic"} {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			secret := []byte("s-" + provider)
			var mu sync.Mutex
			var pushes []webhook.Push
			recv := webhook.New(webhook.Config{Secret: secret}, func(_ context.Context, p webhook.Push) {
				mu.Lock()
				pushes = append(pushes, p)
				mu.Unlock()
			})
			srv := httptest.NewServer(recv)
			t.Cleanup(srv.Close)
			remote := testenv.GitRemote(t)
			testenv.InstallPushHook(t, remote, srv.URL+"/hooks/"+provider, provider, secret)
			clone := testenv.GitClone(t, remote)
			testenv.GitCommitFile(t, clone, "a.txt", "a\n", "chore: a")
			testenv.GitRun(t, clone, "push", "--quiet", "origin", "main:develop")
			mu.Lock()
			defer mu.Unlock()
			if len(pushes) != 1 || pushes[0].Provider != provider || pushes[0].Delivery == "" ||
				!slices.Equal(pushes[0].Refs, []string{"refs/heads/develop"}) {
				t.Fatalf("receiver got %+v (stats %+v), want one %s push of refs/heads/develop with a delivery id",
					pushes, recv.Stats(), provider)
			}
		})
	}
}

func TestPushHookFailureDoesNotFailPush(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		url  func(t *testing.T) string
		want string // in the push's output
	}{
		{"nothing listening", func(t *testing.T) string {
			srv := httptest.NewServer(http.NotFoundHandler())
			srv.Close()
			return srv.URL
		}, "pushhook: post refs/heads/main: send request"},
		{"receiver rejects", func(t *testing.T) string {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusUnauthorized)
			}))
			t.Cleanup(srv.Close)
			return srv.URL
		}, "status 401"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			remote := testenv.GitRemote(t)
			testenv.InstallPushHook(t, remote, tc.url(t), "github", []byte("x"))
			clone := testenv.GitClone(t, remote)
			sha := testenv.GitCommitFile(t, clone, "a.txt", "a\n", "chore: a")
			out, err := gitTry(t, clone, "push", "origin", "main")
			if err != nil || !strings.Contains(out, tc.want) {
				t.Fatalf("push: %v, output %q; want success with %q", err, out, tc.want)
			}
			if got := testenv.GitRun(t, remote, "rev-parse", "main"); got != sha {
				t.Fatalf("remote main = %s, want %s", got, sha)
			}
		})
	}
}

func TestPushHookKeepsSecretOffCommandLine(t *testing.T) {
	t.Parallel()
	secret := []byte("do-not-print-me")
	remote := testenv.GitRemote(t)
	testenv.InstallPushHook(t, remote, "http://127.0.0.1:9/hooks/github", "github", secret)
	script, err := os.ReadFile(filepath.Join(remote, "hooks", "post-receive"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(script), string(secret)) || !strings.HasPrefix(string(script), "#!/bin/sh\n") {
		t.Fatalf("hook script holds the secret or is not a sh script:\n%s", script)
	}
	_, file, ok := strings.Cut(string(script), "--secret-file '")
	file, _, _ = strings.Cut(file, "'")
	fi, err := os.Stat(file)
	if !ok || err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file %q: %v, mode %v; want mode 0600", file, err, fi)
	}
	hook, err := os.Stat(filepath.Join(remote, "hooks", "post-receive"))
	if err != nil || hook.Mode().Perm()&0o100 == 0 {
		t.Fatalf("hook is not executable: %v %v", hook, err)
	}
}
