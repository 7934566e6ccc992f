package platform

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const lookupDoc = header + `  topics:
    - kind: feature
      base: develop
    - kind: feature-ui
      prefix: feature/ui/
      base: develop
  environments:
    - name: dev
      lane: develop
    - name: production
      lane: release
      targets:
        - {name: azure, order: 2}
        - {name: aws, order: 1}
        - {name: gcp, order: 1}
  components:
    - name: app
      type: kustomize
      path: apps/app/base
      dependsOn: [db, net]
      inputs:
        dev: {path: apps/app/overlays/dev}
    - name: db
      type: terraform
      path: infra/db
      dependsOn: [net]
      inputs:
        production: {varFiles: [infra/db/prod.tfvars], vars: {size: large}}
    - name: dashboards
      type: manifests
      path: apps/dash
    - name: net
      type: terraform
      path: infra/net
`

func lookupPlatform(t *testing.T) *Platform {
	t.Helper()
	return mustLoad(t, repo(t, lookupDoc, "apps/app/base/", "apps/app/overlays/dev/", "infra/db/prod.tfvars",
		"apps/dash/", "infra/net/"))
}

func TestLookups(t *testing.T) {
	t.Parallel()
	p := lookupPlatform(t)
	if l, ok := p.Lane("main"); !ok || !l.Protected {
		t.Errorf("Lane(main) = %+v, %v", l, ok)
	}
	if _, ok := p.Lane("nope"); ok {
		t.Error("Lane(nope) found")
	}
	if p.LaneIndex("develop") != 0 || p.LaneIndex("release") != 3 || p.LaneIndex("x") != -1 {
		t.Error("LaneIndex wrong")
	}
	if e, ok := p.EnvForLane("release"); !ok || e.Name != "production" {
		t.Errorf("EnvForLane(release) = %v, %v", e.Name, ok)
	}
	if _, ok := p.EnvForLane("main"); ok {
		t.Error("EnvForLane(main) found an environment")
	}
	if pr, ok := p.PromotionTo("main"); !ok || pr.From != "staging" {
		t.Errorf("PromotionTo(main) = %+v", pr)
	}
	if tp, ok := p.Topic("feature"); !ok || tp.Prefix != "feature/" {
		t.Errorf("Topic(feature) = %+v", tp)
	}
	for _, tc := range []struct{ branch, kind, name string }{
		{"feature/aws-foundation", "feature", "aws-foundation"},
		{"feature/ui/portal", "feature-ui", "portal"},
		{"feature/", "", ""},
		{"hotfix/x", "", ""},
		{"develop", "", ""},
	} {
		tp, name, ok := p.TopicForBranch(tc.branch)
		if tp.Kind != tc.kind || name != tc.name || ok != (tc.kind != "") {
			t.Errorf("TopicForBranch(%q) = %q, %q, %v", tc.branch, tp.Kind, name, ok)
		}
	}
}

func TestComponentOrder(t *testing.T) {
	t.Parallel()
	p := lookupPlatform(t)
	var got []string
	for _, c := range p.ComponentOrder() {
		got = append(got, c.Name)
	}
	// net has no deps but is declared last; dashboards is ready first.
	if want := []string{"dashboards", "net", "db", "app"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ComponentOrder = %v, want %v", got, want)
	}
}

func TestEnvironmentAndComponentHelpers(t *testing.T) {
	t.Parallel()
	p := lookupPlatform(t)
	prod, _ := p.Env("production")
	var order []string
	for _, tg := range prod.OrderedTargets() {
		order = append(order, tg.Name)
	}
	if want := []string{"aws", "gcp", "azure"}; !reflect.DeepEqual(order, want) {
		t.Errorf("OrderedTargets = %v, want %v", order, want)
	}
	if prod.Targets[0].Name != "azure" {
		t.Error("OrderedTargets reordered the model")
	}
	app, _ := p.Component("app")
	if app.PathFor("dev") != "apps/app/overlays/dev" || app.PathFor("production") != "apps/app/base" {
		t.Errorf("PathFor: dev %q production %q", app.PathFor("dev"), app.PathFor("production"))
	}
	db, _ := p.Component("db")
	if in := db.InputsFor("production"); in.Vars["size"] != "large" || in.VarFiles[0] != "infra/db/prod.tfvars" {
		t.Errorf("InputsFor(production) = %+v", in)
	}
	if in := db.InputsFor("dev"); !reflect.DeepEqual(in, Inputs{}) {
		t.Errorf("InputsFor(dev) = %+v, want zero", in)
	}
}

// Not parallel: it sets environment variables.
func TestStoreDSN(t *testing.T) {
	t.Setenv("FERRY_TEST_PW", "s3cret")
	p := &Platform{Dir: "/repo", Spec: Spec{Store: StoreConfig{Driver: "postgres",
		DSN: "postgres://ferry:${FERRY_TEST_PW}@db:5432/ferry?sslmode=disable&x=$HOME"}}}
	dsn, err := p.StoreDSN()
	if err != nil || dsn != "postgres://ferry:s3cret@db:5432/ferry?sslmode=disable&x=$HOME" {
		t.Errorf("StoreDSN = %q, %v", dsn, err)
	}
	if _, err := p.StorePath(); err == nil {
		t.Error("StorePath with postgres: want an error")
	}
	p.Spec.Store.DSN = "postgres://ferry:${FERRY_TEST_UNSET_VAR}@db/ferry"
	_, err = p.StoreDSN()
	if err == nil || !strings.Contains(err.Error(), "FERRY_TEST_UNSET_VAR is not set") || strings.Contains(err.Error(), "db/ferry") {
		t.Errorf("StoreDSN with unset variable: %v", err)
	}
	t.Setenv("FERRY_TEST_DIR", "state")
	p.Spec.Store = StoreConfig{Driver: "sqlite", DSN: "${FERRY_TEST_DIR}/ferry.db"}
	if path, err := p.StorePath(); err != nil || path != filepath.Join("/repo", "state", "ferry.db") {
		t.Errorf("StorePath = %q, %v", path, err)
	}
	p.Spec.Store.DSN = "/var/lib/ferry.db"
	if path, _ := p.StorePath(); path != "/var/lib/ferry.db" {
		t.Errorf("StorePath absolute = %q", path)
	}
}

func TestLaneForms(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, repo(t, header+"  lanes:\n    - develop\n    - {name: main, protected: false}\n    - name: release\n"))
	want := []Lane{{Name: "develop"}, {Name: "main"}, {Name: "release", Protected: true}}
	if !reflect.DeepEqual(p.Spec.Lanes, want) {
		t.Errorf("lanes = %+v, want %+v", p.Spec.Lanes, want)
	}
	// Other packages decoding with yaml.Unmarshal get the same strictness.
	var lanes []Lane
	if err := yaml.Unmarshal([]byte("[develop, {name: main}]"), &lanes); err != nil || lanes[1].Name != "main" {
		t.Errorf("yaml.Unmarshal lanes = %+v, %v", lanes, err)
	}
	err := yaml.Unmarshal([]byte("- {name: main, protect: true}"), &lanes)
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), `unknown field "protect" (did you mean "protected"?)`) {
		t.Errorf("yaml.Unmarshal unknown lane field: %v", err)
	}
}

func TestDurationEncoding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, out string }{
		{"5m", "5m"}, {"300s", "5m"}, {"1h", "1h"}, {"1h30m", "1h30m"}, {"90s", "1m30s"}, {"250ms", "250ms"},
	} {
		var d Duration
		if err := yaml.Unmarshal([]byte(tc.in), &d); err != nil {
			t.Fatalf("yaml %q: %v", tc.in, err)
		}
		y, _ := yaml.Marshal(d)
		j, _ := json.Marshal(d)
		if strings.TrimSpace(string(y)) != tc.out || string(j) != `"`+tc.out+`"` {
			t.Errorf("%q: yaml %q json %s, want %q", tc.in, y, j, tc.out)
		}
		var back Duration
		if err := json.Unmarshal(j, &back); err != nil || back != d {
			t.Errorf("json round trip %s: %v %v", j, back, err)
		}
	}
	var d Duration
	for _, bad := range []string{`"soon"`, `5`, `"-1m"`} {
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("json %s: want an error", bad)
		}
	}
}

func TestAliasesAndMergeKeys(t *testing.T) {
	t.Parallel()
	doc := header + `  environments:
    - &env {name: dev, lane: develop, drift: heal, healthTimeout: 2m}
    - <<: *env
      name: staging
      lane: staging
  checks:
    requiredTags: &tags [owner, cost-center]
    exclude: *tags
`
	p := mustLoad(t, repo(t, doc))
	st, _ := p.Env("staging")
	if st.Drift != DriftHeal || st.HealthTimeout.String() != "2m" || st.Lane != "staging" {
		t.Errorf("merged staging = %+v", st)
	}
	if !reflect.DeepEqual(p.Spec.Checks.Exclude, []string{"owner", "cost-center"}) {
		t.Errorf("alias list = %v", p.Spec.Checks.Exclude)
	}
}

func TestParseWithoutDir(t *testing.T) {
	t.Parallel()
	doc := header + "  components:\n    - name: net\n      type: terraform\n      path: infra/not-checked-out\n"
	p, err := Parse([]byte(doc), "rev:ferry.yaml", "")
	if err != nil || p.Dir != "" {
		t.Fatalf("Parse without dir: %v", err)
	}
	_, err = Parse([]byte(doc+"      dependsOn: [ghost]\n"), "rev:ferry.yaml", "")
	if err == nil || !strings.HasPrefix(err.Error(), "rev:ferry.yaml:10: spec.components[0].dependsOn[0]") {
		t.Fatalf("got %v", err)
	}
}

func TestLoadMissing(t *testing.T) {
	t.Parallel()
	_, err := Load(t.TempDir())
	var le *LoadError
	if !errors.Is(err, ErrNoConfig) || !errors.As(err, &le) || !le.ConfigError() || le.Hint() == "" {
		t.Fatalf("Load of an empty dir: %v", err)
	}
}
