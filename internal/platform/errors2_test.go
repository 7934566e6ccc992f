package platform

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestComponentErrors(t *testing.T) {
	t.Parallel()
	runErrorCases(t, []errorCase{
		{name: "type name path",
			doc: "  components:\n    - name: net\n      type: terraformm\n      path: infra/net\n" +
				"    - name: web\n      type: kustomize\n    - name: Web_2\n      type: helm\n      path: /etc\n" +
				"    - name: api\n      type: manifests\n      path: ../outside\n    - name: db\n      type: manifests\n      path: infra/missing\n" +
				"    - name: file\n      type: manifests\n      path: infra/net/main.tf\n    - name: net\n      path: infra/net\n",
			paths: []string{"infra/net/main.tf"},
			want: []wantProblem{
				{8, "spec.components[0].type", `type "terraformm" is invalid (want terraform, kustomize, helm or manifests)`},
				{10, "spec.components[1].path", "path is required"},
				{12, "spec.components[2].name", `name "Web_2" is invalid`},
				{14, "spec.components[2].path", `path "/etc" must be relative to the repository root`},
				{17, "spec.components[3].path", `path "../outside" leaves the repository`},
				{20, "spec.components[4].path", `path "infra/missing" does not exist in the repository`},
				{23, "spec.components[5].path", `path "infra/net/main.tf" is not a directory`},
				{24, "spec.components[6].name", `duplicate component "net" (first at line 7)`},
				{24, "spec.components[6].type", "type is required"},
			}},
		{name: "sneaky escape", doc: "  components:\n    - name: net\n      type: terraform\n      path: infra/../../x\n",
			want: []wantProblem{{9, "spec.components[0].path", "leaves the repository"}}},
		{name: "inputs",
			doc: "  components:\n    - name: web\n      type: helm\n      path: charts/web\n      inputs:\n" +
				"        dev:\n          valuesFiles: [charts/web/values-dev.yaml]\n        qa:\n          path: charts/web\n" +
				"        staging:\n          varFiles: [missing.tfvars]\n          valuesFiles: [charts]\n          path: charts/nope\n",
			paths: []string{"charts/web/values-dev.yaml"},
			want: []wantProblem{
				{13, "spec.components[0].inputs.qa", `environment "qa" is not declared (environments: dev, staging, production)`},
				{16, "spec.components[0].inputs.staging.varFiles[0]", `path "missing.tfvars" does not exist`},
				{17, "spec.components[0].inputs.staging.valuesFiles[0]", `path "charts" is a directory, want a file`},
				{18, "spec.components[0].inputs.staging.path", `path "charts/nope" does not exist`},
			}},
		{name: "dependsOn",
			doc: "  components:\n    - name: a\n      type: manifests\n      path: m\n      dependsOn: [b]\n" +
				"    - name: b\n      type: manifests\n      path: m\n      dependsOn: [a, ghost, b]\n",
			paths: []string{"m/"},
			want: []wantProblem{
				{10, "spec.components[0].dependsOn", "dependency cycle: a -> b -> a"},
				{14, "spec.components[1].dependsOn[1]", `component "ghost" is not declared`},
				{14, "spec.components[1].dependsOn[2]", `component "b" depends on itself`},
			}},
		{name: "three-cycle",
			doc: "  components:\n    - name: x\n      type: manifests\n      path: m\n" +
				"    - name: c\n      type: manifests\n      path: m\n      dependsOn: [a]\n" +
				"    - name: a\n      type: manifests\n      path: m\n      dependsOn: [b, x]\n" +
				"    - name: b\n      type: manifests\n      path: m\n      dependsOn: [c]\n",
			paths: []string{"m/"},
			want:  []wantProblem{{13, "spec.components[1].dependsOn", "dependency cycle: c -> a -> b -> c"}}},
	})
}

func TestSettingsErrors(t *testing.T) {
	t.Parallel()
	runErrorCases(t, []errorCase{
		{name: "checks",
			doc: "  checks:\n    failOn: severe\n    rules:\n      FERRY-AWS-001: {disabled: true}\n" +
				"      FERRY-AWS-002: {severity: urgent}\n      FERRY-AWS-003: {disabled: true, reason: sandbox account}\n" +
				"    namingPattern: \"([a-z\"\n    exclude: [\"[bad\"]\n    policyDirs: [/etc/policies]\n",
			want: []wantProblem{
				{7, "spec.checks.failOn", `severity "severe" is invalid (want low, medium, high or critical)`},
				{9, "spec.checks.rules.FERRY-AWS-001.disabled", "rule FERRY-AWS-001 is disabled without a reason"},
				{10, "spec.checks.rules.FERRY-AWS-002.severity", `severity "urgent" is invalid`},
				{12, "spec.checks.namingPattern", "namingPattern is not a valid regular expression"},
				{13, "spec.checks.exclude[0]", `glob "[bad" is invalid`},
				{14, "spec.checks.policyDirs[0]", "must be relative"},
			}},
		{name: "store driver", doc: "  store:\n    driver: mysql\n",
			want: []wantProblem{{7, "spec.store.driver", `driver "mysql" is invalid (want sqlite or postgres)`}}},
		{name: "postgres without dsn", doc: "  store:\n    driver: postgres\n",
			want: []wantProblem{{6, "spec.store.dsn", "dsn is required for the postgres driver"}}},
		{name: "literal password url", doc: "  store:\n    driver: postgres\n    dsn: postgres://ferry:hunter2@db/ferry\n",
			want: []wantProblem{{8, "spec.store.dsn", "dsn holds a literal password"}}},
		{name: "literal password keywords", doc: "  store:\n    driver: postgres\n    dsn: host=db user=ferry password=hunter2\n",
			want: []wantProblem{{8, "spec.store.dsn", "dsn holds a literal password"}}},
		{name: "sqlite outside", doc: "  store:\n    dsn: ../state.db\n",
			want: []wantProblem{{7, "spec.store.dsn", "SQLite path must be relative"}}},
		{name: "versioning", doc: "  versioning:\n    scheme: calver\n    tagPrefix: \"v~\"\n    changelog: ../CHANGES.md\n",
			want: []wantProblem{
				{7, "spec.versioning.scheme", `scheme "calver" is not supported`},
				{8, "spec.versioning.tagPrefix", `tagPrefix "v~" cannot start a valid tag name`},
				{9, "spec.versioning.changelog", "leaves the repository"},
			}},
	})
}

func TestSyntaxErrors(t *testing.T) {
	t.Parallel()
	runErrorCases(t, []errorCase{
		{name: "unclosed flow", doc: "  lanes: [develop\n  remote: origin\n",
			want: []wantProblem{{6, "", "invalid YAML: did not find expected ',' or ']'"}}},
		{name: "tab indent", doc: "  lanes:\n\t- develop\n",
			want: []wantProblem{{7, "", "invalid YAML"}}},
		{name: "two documents", doc: "  remote: origin\n---\nkind: Platform\n",
			want: []wantProblem{{7, "", "more than one YAML document"}}},
		{name: "empty", full: true, doc: "# nothing\n",
			want: []wantProblem{{0, "", "empty document"}}},
		{name: "list root", full: true, doc: "- apiVersion: x\n",
			want: []wantProblem{{1, "", "the document must be a mapping, got a list"}}},
		{name: "dangling alias", doc: "  remote: *nope\n",
			want: []wantProblem{{6, "", "invalid YAML: unknown anchor 'nope' referenced"}}},
	})
}

// The brief's example, character for character.
func TestProblemFormat(t *testing.T) {
	t.Parallel()
	doc := header + "  lanes: [develop, staging, main, release]\n  environments:\n    - name: dev\n      lane: develop\n" +
		"      targets:\n        - name: local\n          kube: {context: k3d-dev}\n    - name: staging\n      lane: stagin\n"
	_, err := Load(repo(t, doc))
	want := `ferry.yaml:14: spec.environments[1].lane: lane "stagin" is not declared (lanes: develop, staging, main, release)`
	if err == nil || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
	var c interface{ ConfigError() bool }
	if !errors.As(err, &c) || !c.ConfigError() {
		t.Fatalf("%T does not report ConfigError() == true", err)
	}
	var p Problem
	if !errors.As(err, &p) || p.Line != 14 || p.Column != 13 {
		t.Fatalf("errors.As Problem: got %+v", p)
	}
}

// Five different breakages of one file are all reported at once, in line order.
func TestAllProblemsAtOnce(t *testing.T) {
	t.Parallel()
	doc := header +
		"  lanes: [develop, staging, main, release]\n" + // 6
		"  environments:\n" + // 7
		"    - name: dev\n" + // 8
		"      lane: develop\n" + // 9
		"      drift: repair\n" + // 10  breakage 1: drift mode
		"      colour: blue\n" + // 11  breakage 2: unknown field
		"  components:\n" + // 12
		"    - name: net\n" + // 13
		"      type: terraform\n" + // 14
		"      path: infra/net\n" + // 15
		"      dependsOn: [app]\n" + // 16  breakage 3: cycle net -> app -> net
		"    - name: app\n" + // 17
		"      type: kustomise\n" + // 18  breakage 4: component type
		"      path: apps/app\n" + // 19
		"      dependsOn: [net]\n" + // 20
		"      inputs:\n" + // 21
		"        prod: {path: apps/app}\n" // 22  breakage 5: unknown env
	got := problems(t, repo(t, doc, "infra/net/", "apps/app/"))
	want := []struct {
		line int
		path string
	}{
		{10, "spec.environments[0].drift"},
		{11, "spec.environments[0].colour"},
		{16, "spec.components[0].dependsOn"},
		{18, "spec.components[1].type"},
		{22, "spec.components[1].inputs.prod"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want 5:\n%s", len(got), listProblems(got))
	}
	for i, w := range want {
		if got[i].Line != w.line || got[i].Path != w.path {
			t.Errorf("problem %d: got %s, want line %d path %s", i, got[i].Error(), w.line, w.path)
		}
	}
}

func TestSymlinkEscape(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	dir := repo(t, header+"  components:\n    - name: net\n      type: terraform\n      path: infra/link\n", "infra/")
	if err := os.Symlink(outside, filepath.Join(dir, "infra", "link")); err != nil {
		t.Fatal(err)
	}
	got := problems(t, dir)
	if len(got) != 1 || got[0].Line != 9 || !strings.Contains(got[0].Msg, "resolves outside the repository") {
		t.Fatalf("got:\n%s", listProblems(got))
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	t.Run("size", func(t *testing.T) {
		t.Parallel()
		big := header + "  remote: origin\n" + strings.Repeat("# padding\n", MaxFileSize/10+1)
		_, err := Parse([]byte(big), FileName, "")
		if err == nil || !strings.Contains(err.Error(), "larger than the 1048576-byte limit") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("problem cap", func(t *testing.T) {
		t.Parallel()
		var b strings.Builder
		b.WriteString(header)
		for i := range 150 {
			fmt.Fprintf(&b, "  x%d: 1\n", i)
		}
		_, err := Parse([]byte(b.String()), FileName, "")
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Fatalf("want *ConfigError, got %v", err)
		}
		if len(ce.Problems) != MaxProblems+1 || ce.Problems[0].Line != 6 ||
			ce.Problems[MaxProblems].Msg != "50 more problems not shown; fix the ones above first" {
			t.Fatalf("got %d problems: %v", len(ce.Problems), ce.Problems[len(ce.Problems)-1])
		}
	})
	t.Run("deep nesting", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			depth int
			want  string
		}{
			{9000, "ferry.yaml:6: spec.lanes[0]: expected a mapping, got a list"},
			{10001, "exceeded max depth"}, // yaml.v3's own limit
		} {
			doc := header + "  lanes: " + strings.Repeat("[", tc.depth) + strings.Repeat("]", tc.depth) + "\n"
			_, err := Parse([]byte(doc), FileName, "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("depth %d: got %v", tc.depth, err)
			}
		}
	})
	t.Run("alias bomb", func(t *testing.T) {
		t.Parallel()
		var b strings.Builder
		b.WriteString(header + "  x-deps: &d [")
		b.WriteString(strings.Repeat("a, ", 2000) + "a]\n")
		b.WriteString("  components:\n    - &c {name: a, type: manifests, path: m, dependsOn: *d}\n")
		b.WriteString(strings.Repeat("    - *c\n", 2000))
		start := time.Now()
		_, err := Parse([]byte(b.String()), FileName, "")
		if err == nil || !strings.Contains(err.Error(), "document expands to too many values") {
			t.Fatalf("got %.300v", err)
		}
		t.Logf("alias bomb refused in %v", time.Since(start))
	})
}
