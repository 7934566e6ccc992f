package git

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

func TestWebURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"https", "https://github.com/acme/platform.git", "https://github.com/acme/platform"},
		{"https with token", "https://x-access-token:ghp_secret@github.com/acme/platform.git", "https://github.com/acme/platform"},
		{"http port kept", "http://gitea.local:3000/acme/platform", "http://gitea.local:3000/acme/platform"},
		{"ssh", "ssh://git@gitlab.example.com:2222/group/sub/platform.git", "https://gitlab.example.com/group/sub/platform"},
		{"scp-like", "git@github.com:acme/platform.git", "https://github.com/acme/platform"},
		{"scp-like trailing slash", "github.com:acme/platform/", "https://github.com/acme/platform"},
		{"local path", "/srv/git/platform.git", ""},
		{"relative path", "../platform.git", ""},
		{"file url", "file:///srv/git/platform.git", ""},
		{"no path", "https://github.com/", ""},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := WebURL(tc.in)
			if got != tc.want || ok != (tc.want != "") {
				t.Fatalf("WebURL(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
			}
		})
	}
}

// FuzzWebURL: no input panics, and what comes out is an http(s) URL
// without credentials.
func FuzzWebURL(f *testing.F) {
	for _, s := range []string{"https://u:p@github.com/a/b.git", "git@github.com:a/b.git", "ssh://git@h:22/a",
		"/local/path", "c:\\repo", "https://[::1]:80/a", "git@:x", "http://h/%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, ok := WebURL(in)
		if !ok {
			return
		}
		u, err := url.Parse(out)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.Host == "" {
			t.Fatalf("WebURL(%q) = %q: not a plain web URL", in, out)
		}
		if strings.Contains(u.Host, "@") {
			t.Fatalf("WebURL(%q) = %q keeps a user", in, out)
		}
	})
}

func TestRemoteWebURL(t *testing.T) {
	r, _ := newRepo(t)
	ctx := context.Background()
	if _, ok, err := r.RemoteWebURL(ctx, "origin"); ok || err != nil {
		t.Fatalf("no remote: ok %v, err %v", ok, err)
	}
	mustRun(t, r, "remote", "add", "origin", "https://bot:s3cret@github.com/acme/platform.git")
	web, ok, err := r.RemoteWebURL(ctx, "origin")
	if err != nil || !ok || web != "https://github.com/acme/platform" {
		t.Fatalf("got %q, %v, %v", web, ok, err)
	}
}
