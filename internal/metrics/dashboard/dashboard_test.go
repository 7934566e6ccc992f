package dashboard

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/prometheus/prometheus/promql/parser"
)

// committed is the file the reference platform's Grafana provisions.
var committed = filepath.Join("..", "..", "..", "examples", "platform", "apps", "monitoring", "base", "ferry", "ferry-dashboard.json")

// TestCommittedDashboardIsCurrent: the JSON in the reference platform is
// what Build makes now (run go run ./hack/gendashboard after a change), and
// Grafana's own types read it back with every panel and query.
func TestCommittedDashboardIsCurrent(t *testing.T) {
	want, err := JSON()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: run `go run -tags kustomize_disable_go_plugin_support ./hack/gendashboard`", committed)
	}
	plugins.RegisterDefaultPlugins()
	var d dashboard.Dashboard
	if err := json.Unmarshal(got, &d); err != nil {
		t.Fatalf("Grafana's dashboard type does not read the JSON: %v", err)
	}
	if d.Uid == nil || *d.Uid != UID {
		t.Fatalf("uid = %v, want %s", d.Uid, UID)
	}
	var exprs int
	for _, p := range d.Panels {
		if p.Panel == nil {
			continue
		}
		for _, tg := range p.Panel.Targets {
			b, _ := json.Marshal(tg)
			if strings.Contains(string(b), `"expr"`) {
				exprs++
			}
		}
	}
	if exprs != len(Queries()) {
		t.Fatalf("the JSON holds %d queries, Rows %d", exprs, len(Queries()))
	}
}

var sha = regexp.MustCompile(`[0-9a-f]{7,40}`)

// TestQueriesParse: every panel query is valid PromQL (Prometheus's own
// parser, with Grafana's interval variable as a real duration), names only
// ferry's metrics or up, and pins no revision.
func TestQueriesParse(t *testing.T) {
	for _, q := range Queries() {
		expr, err := parser.NewParser(parser.Options{}).ParseExpr(Expand(q.Expr))
		if err != nil {
			t.Errorf("%s: %q: %v", q.Panel, q.Expr, err)
			continue
		}
		parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
			if vs, ok := n.(*parser.VectorSelector); ok && !strings.HasPrefix(vs.Name, "ferry_") && vs.Name != "up" {
				t.Errorf("%s: selects %s, not a ferry metric", q.Panel, vs.Name)
			}
			return nil
		})
		if sha.MatchString(q.Expr) {
			t.Errorf("%s: %q pins a revision", q.Panel, q.Expr)
		}
	}
}
