package webhook_test

import (
	"bytes"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/webhook"
)

func TestAcceptedPush(t *testing.T) {
	t.Parallel()
	form := "payload=" + url.QueryEscape(`{"ref":"refs/heads/main","repository":{"full_name":"acme/deploy"}}`)
	tests := []struct {
		name string
		host string
		body []byte
		hdr  func(h http.Header) // edits the signed headers
		want webhook.Push
	}{
		{name: "github", host: "github", body: samplePayload(t, "github"),
			want: webhook.Push{Provider: "github", Delivery: "d-1", Refs: []string{"refs/heads/develop"}, Repo: "acme/deploy"}},
		{name: "github form encoded", host: "github", body: []byte(form),
			hdr:  func(h http.Header) { h.Set("Content-Type", "application/x-www-form-urlencoded") },
			want: webhook.Push{Provider: "github", Delivery: "d-1", Refs: []string{"refs/heads/main"}, Repo: "acme/deploy"}},
		{name: "gitlab push", host: "gitlab", body: samplePayload(t, "gitlab"),
			want: webhook.Push{Provider: "gitlab", Delivery: "d-1", Refs: []string{"refs/heads/develop"}, Repo: "platform/deploy"}},
		{name: "gitlab tag push", host: "gitlab", body: testdata(t, "gitlab-tag-push.json"),
			hdr:  func(h http.Header) { h.Set("X-Gitlab-Event", "Tag Push Hook") },
			want: webhook.Push{Provider: "gitlab", Delivery: "d-1", Refs: []string{"refs/tags/v1.0.0"}, Repo: "platform/deploy"}},
		{name: "gitlab push by header alone", host: "gitlab", body: []byte(`{"ref":"refs/heads/x","project":{"path_with_namespace":"g/p"}}`),
			want: webhook.Push{Provider: "gitlab", Delivery: "d-1", Refs: []string{"refs/heads/x"}, Repo: "g/p"}},
		{name: "gitlab tag push by header alone", host: "gitlab", body: []byte(`{"ref":"refs/tags/v2"}`),
			hdr:  func(h http.Header) { h.Set("X-Gitlab-Event", "Tag Push Hook") },
			want: webhook.Push{Provider: "gitlab", Delivery: "d-1", Refs: []string{"refs/tags/v2"}}},
		{name: "gitlab system hook by object_kind", host: "gitlab", body: samplePayload(t, "gitlab"),
			hdr:  func(h http.Header) { h.Set("X-Gitlab-Event", "System Hook") },
			want: webhook.Push{Provider: "gitlab", Delivery: "d-1", Refs: []string{"refs/heads/develop"}, Repo: "platform/deploy"}},
		{name: "gitlab event uuid", host: "gitlab", body: samplePayload(t, "gitlab"),
			hdr: func(h http.Header) {
				h.Del("Idempotency-Key")
				h.Set("X-Gitlab-Event-UUID", "uuid-9")
			},
			want: webhook.Push{Provider: "gitlab", Delivery: "uuid-9", Refs: []string{"refs/heads/develop"}, Repo: "platform/deploy"}},
		{name: "gitea", host: "gitea", body: samplePayload(t, "gitea"),
			want: webhook.Push{Provider: "gitea", Delivery: "d-1", Refs: []string{"refs/heads/develop"}, Repo: "acme/deploy"}},
		{name: "forgejo", host: "forgejo", body: samplePayload(t, "forgejo"),
			want: webhook.Push{Provider: "gitea", Delivery: "d-1", Refs: []string{"refs/heads/develop"}, Repo: "acme/deploy"}},
		{name: "gogs", host: "gogs", body: samplePayload(t, "gogs"),
			want: webhook.Push{Provider: "gitea", Delivery: "d-1", Refs: []string{"refs/heads/develop"}, Repo: "acme/deploy"}},
		{name: "bitbucket", host: "bitbucket", body: samplePayload(t, "bitbucket"),
			want: webhook.Push{Provider: "bitbucket", Delivery: "d-1", Refs: []string{"refs/heads/develop", "refs/tags/v1.0.0"}, Repo: "PLAT/deploy"}},
		{name: "bitbucket refId only", host: "bitbucket", body: []byte(`{"changes":[{"refId":"refs/heads/x"}],"repository":{"slug":"r"}}`),
			want: webhook.Push{Provider: "bitbucket", Delivery: "d-1", Refs: []string{"refs/heads/x"}, Repo: "r"}},
		{name: "generic refs", host: "generic", body: samplePayload(t, "generic"),
			want: webhook.Push{Provider: "generic", Delivery: "d-1", Refs: []string{"refs/heads/develop", "refs/tags/v1.0.0"}, Repo: "acme/deploy"}},
		{name: "generic ref drops invalid", host: "generic", body: []byte(`{"ref":"refs/heads/a","refs":["main","refs/heads/a b","refs/heads/b"]}`),
			want: webhook.Push{Provider: "generic", Delivery: "d-1", Refs: []string{"refs/heads/a", "refs/heads/b"}}},
		{name: "generic empty object is every lane", host: "generic", body: []byte(`{}`),
			want: webhook.Push{Provider: "generic", Delivery: "d-1"}},
		{name: "generic empty body is every lane", host: "generic", body: nil,
			hdr:  func(h http.Header) { h.Del("X-Delivery") },
			want: webhook.Push{Provider: "generic"}},
		{name: "non-ascii delivery id is dropped", host: "github", body: samplePayload(t, "github"),
			hdr:  func(h http.Header) { h.Set("X-GitHub-Delivery", "d-\u00e9") },
			want: webhook.Push{Provider: "github", Refs: []string{"refs/heads/develop"}, Repo: "acme/deploy"}},
		{name: "overlong delivery id is dropped", host: "github", body: samplePayload(t, "github"),
			hdr:  func(h http.Header) { h.Set("X-GitHub-Delivery", strings.Repeat("d", 129)) },
			want: webhook.Push{Provider: "github", Refs: []string{"refs/heads/develop"}, Repo: "acme/deploy"}},
		{name: "longest delivery id is kept", host: "github", body: samplePayload(t, "github"),
			hdr:  func(h http.Header) { h.Set("X-GitHub-Delivery", strings.Repeat("d", 128)) },
			want: webhook.Push{Provider: "github", Delivery: strings.Repeat("d", 128), Refs: []string{"refs/heads/develop"}, Repo: "acme/deploy"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, webhook.Config{Secret: testSecret})
			hdr := hostHeaders(tc.host, testSecret, tc.body, "d-1")
			if tc.hdr != nil {
				tc.hdr(hdr)
			}
			code, body := h.post(t, http.MethodPost, route(tc.host), hdr, bytes.NewReader(tc.body))
			if code != http.StatusOK || body != `{"status":"accepted"}`+"\n" {
				t.Fatalf("response = %d %q, want 200 accepted; logs:\n%s", code, body, h.logs)
			}
			if got := h.sink.got(); len(got) != 1 || !reflect.DeepEqual(got[0], tc.want) {
				t.Fatalf("sink got %#v, want one %#v", got, tc.want)
			}
			if got, want := h.recv.Stats(), (webhook.Stats{Accepted: 1}); got != want {
				t.Fatalf("stats = %+v, want %+v", got, want)
			}
		})
	}
}

func TestRejectedDeliveryDoesNotCallSink(t *testing.T) {
	t.Parallel()
	type edit func(h http.Header, body []byte) (http.Header, []byte)
	wrongSecret := func(host string) edit {
		return func(_ http.Header, body []byte) (http.Header, []byte) {
			return hostHeaders(host, []byte("not-the-secret"), body, "d-1"), body
		}
	}
	without := func(name string) edit {
		return func(h http.Header, body []byte) (http.Header, []byte) { h.Del(name); return h, body }
	}
	set := func(name, v string) edit {
		return func(h http.Header, body []byte) (http.Header, []byte) { h.Set(name, v); return h, body }
	}
	tampered := func(h http.Header, body []byte) (http.Header, []byte) {
		return h, bytes.Replace(body, []byte("develop"), []byte("main"), 1)
	}
	sigHeader := map[string]string{
		"github": "X-Hub-Signature-256", "gitlab": "X-Gitlab-Token", "gitea": "X-Gitea-Signature",
		"forgejo": "X-Forgejo-Signature", "gogs": "X-Gogs-Signature", "bitbucket": "X-Hub-Signature",
		"generic": "X-Signature",
	}
	type tcase struct {
		name     string
		host     string
		edit     edit
		wantCode int
		want     webhook.Stats
	}
	var tests []tcase
	for _, host := range hosts {
		unauth := webhook.Stats{Unauthorized: 1}
		tests = append(tests,
			tcase{host + " wrong secret", host, wrongSecret(host), 401, unauth},
			tcase{host + " missing signature", host, without(sigHeader[host]), 401, unauth},
			tcase{host + " garbage signature", host, set(sigHeader[host], "sha256=zz"), 401, unauth},
		)
		if host != "gitlab" { // GitLab's token does not cover the body
			tests = append(tests, tcase{host + " tampered body", host, tampered, 401, unauth})
		}
	}
	tests = append(tests,
		tcase{"github signature without prefix", "github", func(h http.Header, b []byte) (http.Header, []byte) {
			h.Set("X-Hub-Signature-256", strings.TrimPrefix(h.Get("X-Hub-Signature-256"), "sha256="))
			return h, b
		}, 401, webhook.Stats{Unauthorized: 1}},
		tcase{"github sha1 header only", "github", func(h http.Header, b []byte) (http.Header, []byte) {
			h.Set("X-Hub-Signature", h.Get("X-Hub-Signature-256"))
			h.Del("X-Hub-Signature-256")
			return h, b
		}, 401, webhook.Stats{Unauthorized: 1}},
		tcase{"gitea signature with prefix", "gitea", func(h http.Header, b []byte) (http.Header, []byte) {
			h.Set("X-Gitea-Signature", "sha256="+h.Get("X-Gitea-Signature"))
			return h, b
		}, 401, webhook.Stats{Unauthorized: 1}},
		tcase{"gitlab token prefix of secret", "gitlab", set("X-Gitlab-Token", string(testSecret[:5])), 401, webhook.Stats{Unauthorized: 1}},
	)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, webhook.Config{Secret: testSecret})
			body := samplePayload(t, tc.host)
			hdr, body := tc.edit(hostHeaders(tc.host, testSecret, body, "d-1"), body)
			code, resp := h.post(t, http.MethodPost, route(tc.host), hdr, bytes.NewReader(body))
			if code != tc.wantCode {
				t.Fatalf("status = %d %q, want %d", code, resp, tc.wantCode)
			}
			if got := h.sink.got(); len(got) != 0 {
				t.Fatalf("sink called with %#v", got)
			}
			if got := h.recv.Stats(); got != tc.want {
				t.Fatalf("stats = %+v, want %+v", got, tc.want)
			}
			for _, secret := range []string{string(testSecret), hexHMAC(testSecret, body)} {
				if strings.Contains(resp, secret) || strings.Contains(h.logs.String(), secret) {
					t.Fatalf("response or logs hold the secret or signature:\n%s\n%s", resp, h.logs)
				}
			}
		})
	}
}

func TestOversizedBody(t *testing.T) {
	t.Parallel()
	big := []byte(`{"ref":"refs/heads/develop","pad":"` + strings.Repeat("x", 200) + `"}`)
	for _, host := range hosts {
		for _, chunked := range []bool{false, true} {
			name := host + " content-length"
			if chunked {
				name = host + " chunked"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				h := newHarness(t, webhook.Config{Secret: testSecret, MaxBody: 100})
				hdr := hostHeaders(host, testSecret, big, "d-1")
				var body interface{ Read([]byte) (int, error) } = bytes.NewReader(big)
				if chunked { // no Content-Length: the limit must hold while reading
					body = struct{ *bytes.Reader }{bytes.NewReader(big)}
				}
				code, resp := h.post(t, http.MethodPost, route(host), hdr, body)
				if code != http.StatusRequestEntityTooLarge {
					t.Fatalf("status = %d %q, want 413", code, resp)
				}
				if got := h.sink.got(); len(got) != 0 {
					t.Fatalf("sink called with %#v", got)
				}
				if got, want := h.recv.Stats(), (webhook.Stats{TooLarge: 1}); got != want {
					t.Fatalf("stats = %+v, want %+v", got, want)
				}
			})
		}
	}
}

func TestDefaultMaxBodyIsOneMiB(t *testing.T) {
	t.Parallel()
	pad := strings.Repeat("x", 1<<20)
	tests := []struct {
		name string
		body []byte
		code int
	}{
		{"just under", []byte(`{"ref":"refs/heads/a","p":"` + pad[:1<<20-40] + `"}`), 200},
		{"just over", []byte(`{"ref":"refs/heads/a","p":"` + pad + `"}`), 413},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, webhook.Config{Secret: testSecret})
			code, _ := h.post(t, http.MethodPost, "/hooks/generic", hostHeaders("generic", testSecret, tc.body, ""), bytes.NewReader(tc.body))
			if code != tc.code {
				t.Fatalf("status for %d bytes = %d, want %d", len(tc.body), code, tc.code)
			}
		})
	}
}
