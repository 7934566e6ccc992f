package auth_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/auth"
	"ferry.dev/ferry/internal/store"
)

func TestAllow(t *testing.T) {
	t.Parallel()
	viewer := auth.Principal{Name: "v", Role: store.RoleViewer}
	dep := auth.Principal{Name: "d", Role: store.RoleDeployer, Envs: []string{"dev"}}
	depAll := auth.Principal{Name: "da", Role: store.RoleDeployer}
	admin := auth.Principal{Name: "a", Role: store.RoleAdmin}
	adminDev := auth.Principal{Name: "ad", Role: store.RoleAdmin, Envs: []string{"dev"}}
	dev, staging, prod := auth.Target{Env: "dev"}, auth.Target{Env: "staging"}, auth.Target{Env: "production", Production: true}
	cases := []struct {
		name string
		p    auth.Principal
		a    auth.Action
		t    auth.Target
		ok   bool
	}{
		{"viewer reads", viewer, auth.Read, auth.Target{}, true},
		{"viewer may not sync", viewer, auth.Sync, dev, false},
		{"scoped deployer reads everything", dep, auth.Read, prod, true},
		{"deployer syncs in scope", dep, auth.Sync, dev, true},
		{"deployer not out of scope", dep, auth.Sync, staging, false},
		{"deployer approves in scope", dep, auth.Approve, dev, true},
		{"deployer rolls back non-production", depAll, auth.Rollback, staging, true},
		{"deployer not production", depAll, auth.Sync, prod, false},
		{"deployer no override", depAll, auth.Override, staging, false},
		{"deployer no release", depAll, auth.Release, prod, false},
		{"deployer no tokens", depAll, auth.Tokens, auth.Target{}, false},
		{"scoped deployer not on a lane without env", dep, auth.Promote, auth.Target{}, false},
		{"unscoped deployer on a lane without env", depAll, auth.Promote, auth.Target{}, true},
		{"admin production", admin, auth.Rollback, prod, true},
		{"admin releases", admin, auth.Release, prod, true},
		{"admin tokens", admin, auth.Tokens, auth.Target{}, true},
		{"scoped admin keeps its scope", adminDev, auth.Sync, staging, false},
		{"scoped admin no tokens", adminDev, auth.Tokens, auth.Target{}, false},
		{"unknown role", auth.Principal{Name: "x", Role: "root"}, auth.Read, auth.Target{}, false},
	}
	for _, tc := range cases {
		err := auth.Allow(tc.p, tc.a, tc.t)
		var fe *auth.ForbiddenError
		if tc.ok != (err == nil) || err != nil && (!errors.As(err, &fe) || fe.Hint() == "") {
			t.Errorf("%s: Allow = %v, want allowed %v (with a hint when not)", tc.name, err, tc.ok)
		}
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	a, ha, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := auth.NewToken()
	if a == b || !strings.HasPrefix(a, auth.TokenPrefix) || len(a) != len(auth.TokenPrefix)+43 || ha != auth.Hash(a) || len(ha) != 64 {
		t.Fatalf("tokens %q %q hash %q", a, b, ha)
	}
}

// TestAuthenticate: a valid token authenticates and its use is recorded;
// missing, malformed, unknown and revoked ones do not; failures are
// logged without the token and rate-limited per client address.
func TestAuthenticate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tok, hash, _ := auth.NewToken()
	if _, err := st.CreateToken(ctx, store.Token{Name: "ci", Hash: hash, Role: store.RoleDeployer, Envs: []string{"dev"}}); err != nil {
		t.Fatal(err)
	}
	revoked, rhash, _ := auth.NewToken()
	st.CreateToken(ctx, store.Token{Name: "old", Hash: rhash, Role: store.RoleAdmin})
	st.RevokeToken(ctx, "old")
	var logs bytes.Buffer
	a := &auth.Authenticator{Store: st, Log: slog.New(slog.NewJSONHandler(&logs, nil)), Failures: 1, Burst: 4}
	req := func(ip, header string) (auth.Principal, error) {
		r := httptest.NewRequest("GET", "/api/v1/environments", nil)
		r.RemoteAddr = ip + ":1234"
		if header != "" {
			r.Header.Set("Authorization", header)
		}
		return a.Authenticate(r)
	}
	p, err := req("10.0.0.1", "Bearer "+tok)
	if err != nil || p.Name != "ci" || p.Role != store.RoleDeployer || len(p.Envs) != 1 {
		t.Fatalf("valid token: %+v %v", p, err)
	}
	if list, _ := st.Tokens(ctx); list[0].LastUsedAt.IsZero() {
		t.Error("use of the token not recorded")
	}
	for _, h := range []string{"", "Basic " + tok, "Bearer " + tok + "x", "Bearer " + revoked} {
		if _, err := req("10.0.0.2", h); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("%q: %v, want ErrUnauthenticated", h, err)
		}
	}
	// The burst of 4 is spent by the four failures; the fifth
	// attempt, even with a valid token, is refused until the limit refills.
	if _, err := req("10.0.0.2", "Bearer "+tok); !errors.Is(err, auth.ErrRateLimited) {
		t.Fatalf("after the burst: %v, want ErrRateLimited", err)
	}
	if _, err := req("10.0.0.3", "Bearer "+tok); err != nil {
		t.Fatalf("another client is not limited: %v", err)
	}
	if strings.Contains(logs.String(), tok[len(auth.TokenPrefix):]) || strings.Contains(logs.String(), revoked[len(auth.TokenPrefix):]) {
		t.Fatal("a token reached the log")
	}
	if !strings.Contains(logs.String(), "unknown or revoked token") || !strings.Contains(logs.String(), "10.0.0.2") {
		t.Fatalf("failures not logged with reason and client:\n%s", logs.String())
	}
}
