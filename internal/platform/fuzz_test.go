package platform

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzParse feeds arbitrary bytes to Parse: it must never panic or hang;
// a failure is a *ConfigError whose problems name the file; a success
// renders to YAML that parses back to the same model.
func FuzzParse(f *testing.F) {
	f.Add([]byte(header))
	f.Add([]byte(lookupDoc))
	f.Add([]byte(header + "  lanes: [develop, staging]\n  promotions:\n    - {from: develop, to: staging, candidate: verified}\n"))
	f.Add([]byte(header + "  environments:\n    - &e {name: dev, lane: develop}\n    - <<: *e\n      name: qa\n"))
	f.Add([]byte(header + "  components:\n    - {name: a, type: manifests, path: m, dependsOn: [b]}\n    - {name: b, type: helm, path: m, dependsOn: [a]}\n"))
	f.Add([]byte(header + "  lanes: &l [a, *l]\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("{"))
	f.Add([]byte(header + "  store: {driver: postgres, dsn: \"postgres://u:p@h/db\"}\n"))
	f.Add([]byte(header + verifyDoc))
	f.Add([]byte(header + "  promotions:\n    - {from: staging, to: main, gates: {verify: {prometheus: \"http://p:9090\", queries: [{name: a, query: \"up\", below: 1e309}]}}}\n"))
	f.Add([]byte(header + notifyDoc))
	f.Add([]byte(header + "  notifications:\n    sinks:\n      - {name: a, slack: {url: inline}}\n      - {name: b, gitea: {token: {env: T, file: x}}}\n    rules: [{triggers: [on-x], sinks: [c]}]\n"))
	if ex, err := os.ReadFile(filepath.Join("..", "..", "examples", "platform", FileName)); err == nil {
		f.Add(ex)
	}
	dir := f.TempDir()
	for _, d := range []string{"m", "apps/app/base", "infra/net"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data, FileName, dir)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) || len(ce.Problems) == 0 {
				t.Fatalf("want *ConfigError with problems, got %T %v", err, err)
			}
			for _, pr := range ce.Problems {
				if pr.File != FileName || pr.Msg == "" || pr.Line < 0 {
					t.Fatalf("malformed problem %+v", pr)
				}
			}
			return
		}
		first := render(t, p)
		again, err := Parse(first, FileName, dir)
		if err != nil {
			t.Fatalf("rendered model does not parse back: %v\n%s", err, first)
		}
		if second := render(t, again); !bytes.Equal(first, second) {
			t.Fatalf("round trip changed the model:\n%s\n---\n%s", first, second)
		}
	})
}

func render(t *testing.T, p *Platform) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(p); err != nil {
		if strings.Contains(err.Error(), "invalid") {
			t.Fatalf("render: %v", err)
		}
		t.Fatal(err)
	}
	return buf.Bytes()
}
