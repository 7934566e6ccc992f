package platform

import (
	"strings"
	"testing"
)

type wantProblem struct {
	line int
	path string
	msg  string // substring of the message
}

type errorCase struct {
	name  string
	doc   string   // after header (spec: content starts on line 6) unless full
	full  bool     // doc is the whole file
	paths []string // fixture files ("dir/" for directories)
	want  []wantProblem
}

// runErrorCases loads every case's fixture repository and asserts the exact
// line and path of every problem, and nothing else.
func runErrorCases(t *testing.T, cases []errorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc := tc.doc
			if !tc.full {
				doc = header + doc
			}
			got := problems(t, repo(t, doc, tc.paths...))
			if len(got) != len(tc.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(got), len(tc.want), listProblems(got))
			}
			for i, w := range tc.want {
				g := got[i]
				if g.Line != w.line || g.Path != w.path || !strings.Contains(g.Msg, w.msg) || g.File != FileName {
					t.Errorf("problem %d:\n got  %s\n want %s:%d: %s: …%s…", i, g.Error(), FileName, w.line, w.path, w.msg)
				}
			}
		})
	}
}

func listProblems(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + p.Error() + "\n")
	}
	return b.String()
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	runErrorCases(t, []errorCase{
		{name: "unknown field suggests", doc: "  lanse: [develop]\n",
			want: []wantProblem{{6, "spec.lanse", `unknown field "lanse" (did you mean "lanes"?)`}}},
		{name: "unknown top-level field", doc: "  remote: origin\nstatus: {}\n",
			want: []wantProblem{{7, "status", `unknown field "status" (known: apiVersion, kind, metadata, spec)`}}},
		{name: "list expected", doc: "  lanes: 5\n",
			want: []wantProblem{{6, "spec.lanes", "expected a list, got a number"}}},
		{name: "mapping expected", doc: "  checks: [high]\n",
			want: []wantProblem{{6, "spec.checks", "expected a mapping, got a list"}}},
		{name: "boolean for string", doc: "  environments:\n    - name: dev\n      lane: develop\n      drift: true\n",
			want: []wantProblem{{9, "spec.environments[0].drift", `expected a string, got a boolean (quote it: "true")`}}},
		{name: "string for integer",
			doc:  "  environments:\n    - name: dev\n      lane: develop\n      targets:\n        - name: local\n          order: first\n",
			want: []wantProblem{{11, "spec.environments[0].targets[0].order", `expected an integer, got a string "first"`}}},
		{name: "string for boolean", doc: "  security:\n    allowExecPlugins: \"yes\"\n",
			want: []wantProblem{{7, "spec.security.allowExecPlugins", "expected a boolean"}}},
		{name: "duplicate key", doc: "  remote: origin\n  remote: upstream\n",
			want: []wantProblem{{7, "spec.remote", `duplicate key "remote" (first at line 6)`}}},
		{name: "duplicate map key", doc: "  checks:\n    rules:\n      R1: {severity: low}\n      R1: {severity: high}\n",
			want: []wantProblem{{9, "spec.checks.rules.R1", `duplicate key "R1" (first at line 8)`}}},
		{name: "bad duration", doc: "  environments:\n    - name: dev\n      lane: develop\n      driftInterval: 5 minutes\n",
			want: []wantProblem{{9, "spec.environments[0].driftInterval", `invalid duration "5 minutes"`}}},
		{name: "negative duration", doc: "  environments:\n    - name: dev\n      lane: develop\n      healthTimeout: -5m\n",
			want: []wantProblem{{9, "spec.environments[0].healthTimeout", "negative"}}},
		{name: "non-string key", doc: "  checks:\n    rules:\n      [a]: {}\n",
			want: []wantProblem{{8, "spec.checks.rules", "mapping keys must be strings"}}},
	})
}

func TestHeaderErrors(t *testing.T) {
	t.Parallel()
	runErrorCases(t, []errorCase{
		{name: "apiVersion", full: true, doc: "apiVersion: ferry.dev/v2\nkind: Platform\nmetadata:\n  name: demo\n",
			want: []wantProblem{{1, "apiVersion", `apiVersion "ferry.dev/v2" is not supported (want ferry.dev/v1alpha1)`}}},
		{name: "apiVersion missing", full: true, doc: "kind: Platform\nmetadata:\n  name: demo\n",
			want: []wantProblem{{1, "apiVersion", "apiVersion is required"}}},
		{name: "kind", full: true, doc: "apiVersion: ferry.dev/v1alpha1\nkind: Deployment\nmetadata:\n  name: demo\n",
			want: []wantProblem{{2, "kind", `kind "Deployment" is not supported (want Platform)`}}},
		{name: "name missing", full: true, doc: "apiVersion: ferry.dev/v1alpha1\nkind: Platform\nmetadata: {}\n",
			want: []wantProblem{{3, "metadata.name", "name is required"}}},
		{name: "name invalid", full: true, doc: "apiVersion: ferry.dev/v1alpha1\nkind: Platform\nmetadata:\n  name: Demo_Platform\n",
			want: []wantProblem{{4, "metadata.name", `name "Demo_Platform" is invalid`}}},
		{name: "remote", doc: "  remote: \"my remote\"\n",
			want: []wantProblem{{6, "spec.remote", `remote "my remote" is not a valid Git remote name`}}},
	})
}

func TestLaneAndTopicErrors(t *testing.T) {
	t.Parallel()
	runErrorCases(t, []errorCase{
		{name: "lane names", doc: "  lanes:\n    - develop\n    - -staging\n    - \"feature..x\"\n    - name: \"has space\"\n    - \"a:b\"\n",
			want: []wantProblem{
				{8, "spec.lanes[1].name", `lane "-staging" is not a valid branch name: starts with '-'`},
				{9, "spec.lanes[2].name", "contains '..'"},
				{10, "spec.lanes[3].name", `contains " "`},
				{11, "spec.lanes[4].name", `contains ":"`},
			}},
		{name: "lane without name", doc: "  lanes:\n    - develop\n    - protected: true\n",
			want: []wantProblem{{8, "spec.lanes[1].name", "name is required"}}},
		{name: "duplicate lane", doc: "  lanes: [develop, staging, develop]\n",
			want: []wantProblem{{6, "spec.lanes[2].name", `duplicate lane "develop" (first at line 6)`}}},
		{name: "topics", doc: "  topics:\n    - kind: feature\n      prefix: \"feature~\"\n      base: devel\n" +
			"      mergeInto: [develop, mian]\n    - kind: feature\n      base: develop\n    - kind: hotfix\n      prefix: feature~\n      base: main\n",
			want: []wantProblem{
				{8, "spec.topics[0].prefix", `prefix "feature~" cannot start a valid branch name`},
				{9, "spec.topics[0].base", `lane "devel" is not declared (lanes: develop, staging, main, release)`},
				{10, "spec.topics[0].mergeInto[1]", `lane "mian" is not declared`},
				{11, "spec.topics[1].kind", `duplicate topic kind "feature" (first at line 7)`},
				{14, "spec.topics[2].prefix", "cannot start a valid branch name"},
			}},
		{name: "topic without kind or base", doc: "  topics:\n    - kind: Fix It\n      mergeInto: [develop]\n",
			want: []wantProblem{
				{7, "spec.topics[0].kind", `name "Fix It" is invalid`},
				{7, "spec.topics[0].base", "base is required (a lane: develop, staging, main, release)"},
			}},
		{name: "duplicate topic prefix", doc: "  topics:\n    - kind: feature\n      base: develop\n    - kind: feat\n      prefix: feature/\n      base: develop\n",
			want: []wantProblem{{10, "spec.topics[1].prefix", `duplicate topic prefix "feature/" (first at line 7)`}}},
	})
}

func TestEnvironmentErrors(t *testing.T) {
	t.Parallel()
	runErrorCases(t, []errorCase{
		{name: "lane not declared",
			doc: "  lanes: [develop, staging, main, release]\n  environments:\n    - name: dev\n      lane: develop\n" +
				"      targets:\n        - name: local\n          kube: {context: k3d-dev}\n    - name: staging\n      lane: stagin\n",
			want: []wantProblem{{14, "spec.environments[1].lane",
				`lane "stagin" is not declared (lanes: develop, staging, main, release)`}}},
		{name: "duplicate and shared lane", doc: "  environments:\n    - name: dev\n      lane: develop\n    - name: dev\n      lane: develop\n",
			want: []wantProblem{
				{9, "spec.environments[1].name", `duplicate environment "dev" (first at line 7)`},
				{10, "spec.environments[1].lane", `lane "develop" already feeds another environment (line 8)`},
			}},
		{name: "hydrate branches", doc: "  environments:\n    - name: dev\n      lane: develop\n      hydrate: {branch: staging}\n" +
			"    - name: staging\n      lane: staging\n      hydrate: {branch: \"env/x..y\"}\n" +
			"    - name: qa\n      lane: main\n      hydrate: {}\n    - name: production\n      lane: release\n      hydrate: {branch: env/qa}\n",
			want: []wantProblem{
				{9, "spec.environments[0].hydrate.branch", `hydrate branch "staging" is a lane`},
				{12, "spec.environments[1].hydrate.branch", `hydrate branch "env/x..y"`},
				{18, "spec.environments[3].hydrate.branch", `duplicate hydrate branch "env/qa" (first at line 15)`},
			}},
		{name: "name and drift", doc: "  environments:\n    - name: Prod\n      lane: release\n      drift: fix\n",
			want: []wantProblem{
				{7, "spec.environments[0].name", `name "Prod" is invalid`},
				{9, "spec.environments[0].drift", `drift mode "fix" is invalid (want detect or heal)`},
			}},
		{name: "lane missing", doc: "  environments:\n    - name: dev\n",
			want: []wantProblem{{7, "spec.environments[0].lane", "lane is required (a lane: develop, staging, main, release)"}}},
		{name: "zero poll interval", doc: "  agent:\n    pollInterval: 0s\n",
			want: []wantProblem{{7, "spec.agent.pollInterval", "pollInterval must be positive"}}},
		{name: "zero interval", doc: "  environments:\n    - name: dev\n      lane: develop\n      driftInterval: 0s\n",
			want: []wantProblem{{9, "spec.environments[0].driftInterval", "driftInterval must be positive"}}},
		{name: "targets", doc: "  environments:\n    - name: dev\n      lane: develop\n      targets:\n        - name: local\n" +
			"          kube: {kubeconfig: kc}\n          components: [web]\n        - name: local\n          order: -1\n",
			want: []wantProblem{
				{11, "spec.environments[0].targets[0].kube.context", "kube.context is required when kube is set"},
				{12, "spec.environments[0].targets[0].components[0]", `component "web" is not declared`},
				{13, "spec.environments[0].targets[1].name", `duplicate target "local" (first at line 10)`},
				{14, "spec.environments[0].targets[1].order", "order must not be negative"},
			}},
	})
}

func TestPromotionErrors(t *testing.T) {
	t.Parallel()
	runErrorCases(t, []errorCase{
		{name: "references and order",
			doc: "  promotions:\n    - from: main\n      to: staging\n    - from: develop\n      to: prod\n" +
				"    - from: develop\n      to: main\n      candidate: newest\n    - from: staging\n      to: main\n" +
				"      candidate: verified\n      gates: {deployed: qa, approvals: -1}\n",
			want: []wantProblem{
				{8, "spec.promotions[0].to", `lane "staging" must come after "main" in lane order (develop, staging, main, release)`},
				{10, "spec.promotions[1].to", `lane "prod" is not declared`},
				{13, "spec.promotions[2].candidate", `candidate "newest" is invalid (want head or verified)`},
				{15, "spec.promotions[3].to", `duplicate promotion to lane "main" (first at line 12)`},
				{17, "spec.promotions[3].gates.deployed", `environment "qa" is not declared (environments: dev, staging, production)`},
				{17, "spec.promotions[3].gates.approvals", "approvals must not be negative"},
			}},
		{name: "from missing", doc: "  promotions:\n    - {to: staging}\n",
			want: []wantProblem{{7, "spec.promotions[0].from", "from is required"}}},
		{name: "verified needs an environment",
			doc:  "  lanes: [develop, main, release]\n  promotions:\n    - from: main\n      to: release\n      candidate: verified\n",
			want: []wantProblem{{8, "spec.promotions[0].gates.deployed", `no environment is fed by lane "main"`}}},
	})
}
