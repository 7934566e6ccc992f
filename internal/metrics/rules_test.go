package metrics

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"

	"ferry.dev/ferry/internal/testenv"
)

// ferryApp is the reference platform's monitoring files for ferry.
var ferryApp = filepath.Join("..", "..", "examples", "platform", "apps", "monitoring", "base", "ferry")

// TestAlertRules: the shipped rules load in Prometheus's own checker and
// pass their unit tests (promtool test rules), and the PrometheusRule for
// the operator holds exactly the same groups.
func TestAlertRules(t *testing.T) {
	promtool := testenv.Require(t, "promtool")
	for _, args := range [][]string{{"check", "rules", "ferry-rules.yml"}, {"test", "rules", "ferry-rules.test.yml"}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = ferryApp
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("promtool %v: %v\n%s", args, err, out.String())
		}
	}
	var file struct{ Groups any }
	var rule struct {
		Kind string
		Spec struct{ Groups any }
	}
	readYAML(t, filepath.Join(ferryApp, "ferry-rules.yml"), &file)
	readYAML(t, filepath.Join(ferryApp, "prometheusrule.yaml"), &rule)
	if rule.Kind != "PrometheusRule" || file.Groups == nil {
		t.Fatalf("kind %q, groups %v", rule.Kind, file.Groups)
	}
	if !reflect.DeepEqual(file.Groups, rule.Spec.Groups) {
		t.Fatal("prometheusrule.yaml's spec.groups differ from ferry-rules.yml: copy the groups over")
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
