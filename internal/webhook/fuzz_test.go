package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seeds are testdata's realistic payloads plus edge cases every parser sees.
func seeds(f *testing.F, files ...string) {
	f.Helper()
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatalf("read seed: %v", err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `"x"`, `{"ref":null}`, `{"ref":1}`, `{"ref":"refs/heads/a\u0000"}`,
		`{"ref":"refs/heads/a\nb"}`, `{"ref":"refs/"}`, `{"ref":"refs/heads/\ud800"}`,
		`{"refs":["refs/heads/a","refs/heads/a",""]}`, `{"changes":[{"ref":{"id":"refs/heads/a"}},{"refId":"refs/tags/b"}]}`,
		`{"changes":[null]}`, `{"changes":{}}`, `{"object_kind":"push","ref":"refs/heads/x"}`,
		`{"ref":"refs/heads/x"}{"ref":"refs/heads/y"}`, `{"REF":"refs/heads/x"}`,
	} {
		f.Add([]byte(s))
	}
}

// checkParsed holds every parser to the same contract: no panic (the fuzzer
// catches that), an error for what is not JSON, and only full, printable
// ref names out.
func checkParsed(t *testing.T, body []byte, refs []string, repo string, err error, emptyOK bool) {
	t.Helper()
	if err == nil && !json.Valid(body) && !(emptyOK && len(bytes.Trim(body, " \t\r\n")) == 0) {
		t.Fatalf("no error for a body that is not JSON: %q", body)
	}
	if err != nil && (len(refs) != 0 || repo != "") {
		t.Fatalf("error %v with refs %q repo %q", err, refs, repo)
	}
	for _, r := range refs {
		if !strings.HasPrefix(r, "refs/") || strings.ContainsAny(r, "\x00\n\r ") {
			t.Fatalf("invalid ref %q from %q", r, body)
		}
	}
	if strings.ContainsAny(repo, "\x00\n\r") {
		t.Fatalf("repo %q holds a control character", repo)
	}
}

func FuzzParseGitHub(f *testing.F) {
	seeds(f, "github-push.json", "github-ping.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		refs, repo, err := parseGitHub(body)
		checkParsed(t, body, refs, repo, err, false)
	})
}

func FuzzParseGitLab(f *testing.F) {
	seeds(f, "gitlab-push.json", "gitlab-tag-push.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		refs, repo, err := parseGitLab(body)
		checkParsed(t, body, refs, repo, err, false)
	})
}

func FuzzParseGitea(f *testing.F) {
	seeds(f, "gitea-push.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		refs, repo, err := parseGitea(body)
		checkParsed(t, body, refs, repo, err, false)
	})
}

func FuzzParseBitbucket(f *testing.F) {
	seeds(f, "bitbucket-refs-changed.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		refs, repo, err := parseBitbucket(body)
		checkParsed(t, body, refs, repo, err, false)
	})
}

func FuzzParseGeneric(f *testing.F) {
	seeds(f, "generic-push.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		refs, repo, err := parseGeneric(body)
		checkParsed(t, body, refs, repo, err, true)
	})
}

// FuzzReceiver posts a correctly signed body with fuzzed event and content
// type to a provider chosen by the first byte: the whole handler path, form
// decoding included, must answer with one of the documented statuses and
// hand the sink only valid refs.
func FuzzReceiver(f *testing.F) {
	names := []string{"github", "gitlab", "gitea", "bitbucket", "generic"}
	for i, file := range []string{"github-push.json", "gitlab-push.json", "gitea-push.json", "bitbucket-refs-changed.json", "generic-push.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			f.Fatalf("read seed: %v", err)
		}
		f.Add(byte(i), "push", "application/json", b)
	}
	f.Add(byte(0), "ping", "application/json", []byte(`{}`))
	f.Add(byte(0), "push", "application/x-www-form-urlencoded", []byte(`payload=%7B%22ref%22%3A%22refs%2Fheads%2Fx%22%7D`))
	f.Add(byte(1), "Tag Push Hook", "", []byte(`{"ref":"refs/tags/v1"}`))
	f.Add(byte(3), "diagnostics:ping", "", []byte(``))
	f.Add(byte(4), "", "", []byte(``))
	secret := []byte("fuzz-secret")
	f.Fuzz(func(t *testing.T, which byte, event, contentType string, body []byte) {
		name := names[int(which)%len(names)]
		var got []Push
		recv := New(Config{Secret: secret}, func(_ context.Context, p Push) { got = append(got, p) })
		req := httptest.NewRequest(http.MethodPost, "/hooks/"+name, bytes.NewReader(body))
		mac := hmac.New(sha256.New, secret)
		mac.Write(body)
		sig := hex.EncodeToString(mac.Sum(nil))
		for k, v := range map[string]string{
			"X-Hub-Signature-256": "sha256=" + sig, "X-Hub-Signature": "sha256=" + sig, "X-Signature": "sha256=" + sig,
			"X-Gitea-Signature": sig, "X-Gitlab-Token": string(secret),
			"X-GitHub-Event": event, "X-Gitlab-Event": event, "X-Gitea-Event": event, "X-Event-Key": event,
			"Content-Type": contentType, "X-GitHub-Delivery": "d",
		} {
			req.Header[http.CanonicalHeaderKey(k)] = []string{v}
		}
		rec := httptest.NewRecorder()
		recv.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusAccepted, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d for a signed delivery", rec.Code)
		}
		if (rec.Code == http.StatusOK) != (len(got) == 1 || rec.Body.String() == `{"status":"pong"}`+"\n") {
			t.Fatalf("status %d %q with %d sink calls", rec.Code, rec.Body, len(got))
		}
		for _, p := range got {
			for _, r := range p.Refs {
				if !validRef(r) {
					t.Fatalf("sink got invalid ref %q", r)
				}
			}
		}
	})
}
