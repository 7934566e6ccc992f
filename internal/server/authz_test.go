package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/api"
)

// TestAuthorizationMatrix sends every endpoint and every action as every
// principal — no token, a forged token, viewer, a deployer scoped to dev,
// an unscoped deployer, an admin, an admin scoped to dev — and checks the
// answer: 2xx where the role and scope allow it, 401 without a valid
// token, 403 where they do not; and that a refused request changed
// nothing: the store's records and every ref of the remote are as before.
func TestAuthorizationMatrix(t *testing.T) {
	f := newAPIFixture(t, fixtureOptions{kube: true, authFailures: 10000})
	f.tokens["forged"] = "ferry_" + "0123456789abcdef0123456789abcdef0123456789a"
	// A state in which every allowed action succeeds: dev and staging run
	// the new commit, main has it (something to release), staging's
	// deployment is the verified evidence main's gates want.
	f.commitOn("develop", "apps/web/web.yaml", "# moved\n"+webWithNS(f.ns), "feat: note")
	seed := f.syncEnv("admin", "dev", nil)
	f.must("admin", "POST", "/api/v1/lanes/staging/promote", nil, http.StatusOK, nil)
	f.syncEnv("admin", "staging", nil)
	f.must("admin", "POST", "/api/v1/lanes/main/promote", nil, http.StatusOK, nil)
	f.fetch()

	everyone := []string{"", "forged", "viewer", "deployer", "deployer-all", "admin", "admin-dev"}
	readers := set("viewer", "deployer", "deployer-all", "admin", "admin-dev")
	type tc struct {
		method, path string
		body         any
		allowed      map[string]bool
	}
	var cases []tc
	for _, p := range []string{"/api/v1/whoami", "/api/v1/platform", "/api/v1/lanes", "/api/v1/environments",
		"/api/v1/environments/staging", "/api/v1/status", "/api/v1/history?target=dev", "/api/v1/deployments",
		"/api/v1/deployments/" + itoa(seed.Deployment), "/api/v1/promotions", "/api/v1/promotions/1", "/api/v1/releases", "/api/v1/checkruns",
		"/api/v1/events", "/api/v1/actions/" + seed.ID, "/api/v1/dora?env=dev", "/api/v1/catalog"} {
		cases = append(cases, tc{"GET", p, nil, readers})
	}
	cases = append(cases, tc{"GET", "/api/v1/tokens", nil, set("admin")})
	for _, who := range everyone { // one token per admin that may make it, revoked by the next case
		cases = append(cases, tc{"POST", "/api/v1/tokens", api.TokenRequest{Name: "t-" + who, Role: "viewer"}, set("admin")},
			tc{"DELETE", "/api/v1/tokens/t-" + who, nil, set("admin")})
	}
	cases = append(cases,
		tc{"POST", "/api/v1/environments/dev/sync", nil, set("deployer", "deployer-all", "admin", "admin-dev")},
		tc{"POST", "/api/v1/environments/staging/sync", nil, set("deployer-all", "admin")},
		tc{"POST", "/api/v1/environments/production/sync", nil, set("admin")},
		tc{"POST", "/api/v1/environments/dev/sync", api.SyncRequest{DryRun: true}, set("deployer", "deployer-all", "admin", "admin-dev")},
		tc{"POST", "/api/v1/lanes/staging/promote", api.PromoteRequest{DryRun: true}, set("deployer-all", "admin")},
		tc{"POST", "/api/v1/lanes/staging/promote", nil, set("deployer-all", "admin")},
		tc{"POST", "/api/v1/lanes/staging/promote", api.PromoteRequest{Override: "INC-1"}, set("admin")},
		tc{"POST", "/api/v1/lanes/main/promote", api.PromoteRequest{DryRun: true}, set("deployer-all", "admin")},
		tc{"POST", "/api/v1/lanes/main/approve", api.ApproveRequest{Comment: "ok"}, set("deployer-all", "admin")},
		tc{"POST", "/api/v1/lanes/staging/approve", nil, set("deployer-all", "admin")},
		tc{"POST", "/api/v1/release", api.ReleaseRequest{DryRun: true}, set("admin")},
		tc{"POST", "/api/v1/release", api.ReleaseRequest{DryRun: true, Override: "CAB-9"}, set("admin")},
		// Last: rollbacks move lanes for good.
		tc{"POST", "/api/v1/environments/dev/rollback", api.RollbackRequest{To: "v0.1.0", NoSync: true}, set("deployer", "deployer-all", "admin", "admin-dev")},
		tc{"POST", "/api/v1/environments/staging/rollback", api.RollbackRequest{To: "v0.1.0", NoSync: true}, set("deployer-all", "admin")},
		tc{"POST", "/api/v1/environments/production/rollback", api.RollbackRequest{To: "v0.1.0", NoSync: true}, set("admin")},
	)
	denied := 0
	for _, c := range cases {
		for _, who := range everyone {
			rows, refs := storeRows(t, f.st), f.refs()
			code, body := f.call(who, c.method, c.path, c.body)
			want := "2xx"
			switch {
			case who == "" || who == "forged":
				want = "401"
			case !c.allowed[who]:
				want = "403"
			}
			got := "2xx"
			if code < 200 || code > 299 {
				got = itoa(int64(code))
			}
			if got != want {
				t.Errorf("%s %s %v as %q = %d %s, want %s", c.method, c.path, c.body, who, code, body, want)
				continue
			}
			if want != "2xx" {
				denied++
				var e api.Error
				if json.Unmarshal(body, &e) != nil || e.Code != map[string]string{"401": api.CodeUnauthenticated, "403": api.CodeForbidden}[want] || e.Hint == "" {
					t.Errorf("%s %s as %q: error body %s", c.method, c.path, who, body)
				}
				if after := storeRows(t, f.st); after != rows {
					t.Errorf("%s %s as %q was refused but changed the store:\n%s\n---\n%s", c.method, c.path, who, rows, after)
				}
				if after := f.refs(); after != refs {
					t.Errorf("%s %s as %q was refused but moved refs:\n%s\n---\n%s", c.method, c.path, who, refs, after)
				}
				continue
			}
			if code == http.StatusAccepted { // let it finish before the next case
				var a api.Action
				fatalIf(t, json.Unmarshal(body, &a))
				if a = f.follow("admin", a); a.Status != api.ActionSucceeded {
					t.Errorf("%s %s as %q: action %+v", c.method, c.path, who, a)
				}
			}
		}
	}
	if denied < 100 {
		t.Fatalf("only %d refusals checked", denied)
	}
}

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// TestFailedAuthenticationRateLimited: after its burst of failures a
// client is answered 429 rate_limited, even with a valid token, and the
// presented tokens are not in the log.
func TestFailedAuthenticationRateLimited(t *testing.T) {
	f := newAPIFixture(t, fixtureOptions{authFailures: 3})
	forged := "ferry_" + "Z123456789abcdef0123456789abcdef0123456789a"
	for i := range 3 {
		if code, body := f.call(forged, "GET", "/api/v1/environments", nil); code != http.StatusUnauthorized {
			t.Fatalf("failure %d = %d %s, want 401", i+1, code, body)
		}
	}
	var e api.Error
	f.must("viewer", "GET", "/api/v1/environments", nil, http.StatusTooManyRequests, &e)
	if e.Code != api.CodeRateLimited {
		t.Fatalf("429 body %+v", e)
	}
	if log := f.logs.String(); strings.Contains(log, forged[6:]) || strings.Contains(log, f.tokens["viewer"][6:]) ||
		!strings.Contains(log, "rate limited") {
		t.Fatalf("log:\n%s", log)
	}
}
