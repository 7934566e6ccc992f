package logs

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"os/exec"
	"strings"
	"testing"
	"time"

	"ferry.dev/ferry/internal/testenv"
)

// ecsField is one field definition of @elastic/ecs.
type ecsField struct {
	Type    string   `json:"type"`
	Allowed []string `json:"allowed"`
}

// ecsDefinitions reads the ECS field definitions from Elastic's own npm
// package (@elastic/ecs, installed by make setup), under node.
func ecsDefinitions(t *testing.T) (version string, fields map[string]ecsField) {
	t.Helper()
	dir, node := testenv.NodeModule(t, "@elastic/ecs")
	script := `const ecs = require(process.argv[1]);
const fields = {};
for (const [name, f] of Object.entries(ecs.EcsFlat)) {
  fields[name] = {type: f.type, allowed: (f.allowed_values || []).map(v => v.name)};
}
process.stdout.write(JSON.stringify({version: ecs.EcsVersion, fields}));`
	out, err := exec.Command(node, "-e", script, dir).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("node: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var defs struct {
		Version string
		Fields  map[string]ecsField
	}
	if err := json.Unmarshal(out, &defs); err != nil {
		t.Fatal(err)
	}
	if len(defs.Fields) < 1000 {
		t.Fatalf("only %d ECS fields read", len(defs.Fields))
	}
	return defs.Version, defs.Fields
}

// agentLines logs what ferry serve logs: an outcome on a logger that
// carries the reconcile, deploy progress, a webhook, an error.
func agentLines(log *slog.Logger) {
	pass := log.With("reconcile", "4bf92f3577b34da6a3ce929d0e0e4736")
	pass.With("env", "staging", "action", "synced", "revision", "0123abcd", "deployment", 12).Info("synced staging at 0123abcd")
	pass.Info("k3s/backstage: 0 created, 1 configured, 7 unchanged, 0 pruned (87ms)", "env", "staging", "deployment", 12)
	pass.With("env", "dev", "action", "failed").Error("sync of dev failed", "error", "apply: ConfigMap dev/x: invalid key")
	log.Info("webhook accepted", "provider", "github", "remote", "127.0.0.1:5555", "refs", []string{"refs/heads/develop"})
	log.Warn("leading", "identity", "ferry-agent@host pid 1", "lease", "store lock agent/leader")
	log.Info("drift", slog.Group("plan", slog.Int("objects", 2)), "took", time.Second)
}

// TestECSFieldsAreECS: every field of an ecs line is an ECS field of the
// version it names, with a value of that field's type and one of its
// allowed values, or one of ferry's own under ferry.*, a name ECS does not
// use; the fields Filebeat needs are there.
func TestECSFieldsAreECS(t *testing.T) {
	version, fields := ecsDefinitions(t)
	if version != ECSVersion {
		t.Fatalf("@elastic/ecs is %s, the ecs format says %s: keep them together", version, ECSVersion)
	}
	for name := range fields {
		if strings.HasPrefix(name, "ferry.") || name == "ferry" {
			t.Fatalf("ECS defines %s: ferry's own fields need another namespace", name)
		}
	}
	var buf bytes.Buffer
	log, err := New("ecs", &buf, slog.LevelDebug)
	if err != nil {
		t.Fatal(err)
	}
	agentLines(log)
	lines := 0
	outcomes := map[string]bool{}
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		lines++
		var doc map[string]any
		if err := json.Unmarshal(sc.Bytes(), &doc); err != nil {
			t.Fatalf("not a JSON line: %s", sc.Text())
		}
		for _, need := range []string{"@timestamp", "message", "log.level", "ecs.version", "service.name", "event.dataset"} {
			if _, ok := doc[need]; !ok {
				t.Errorf("line lacks %s: %s", need, sc.Text())
			}
		}
		for k, v := range doc {
			if strings.HasPrefix(k, "ferry.") {
				continue
			}
			f, ok := fields[k]
			if !ok {
				t.Errorf("%s is not an ECS field (line %s)", k, sc.Text())
				continue
			}
			checkType(t, k, f, v)
		}
		if o, ok := doc["event.outcome"].(string); ok {
			outcomes[o] = true
		}
		if doc["event.action"] != nil && doc["trace.id"] != "4bf92f3577b34da6a3ce929d0e0e4736" {
			t.Errorf("an outcome line lost its reconcile's trace.id: %s", sc.Text())
		}
	}
	if lines != 6 {
		t.Fatalf("%d lines, want 6:\n%s", lines, buf.String())
	}
	if !outcomes["success"] || !outcomes["failure"] {
		t.Errorf("event.outcome seen: %v, want success and failure", outcomes)
	}
}

func checkType(t *testing.T, name string, f ecsField, v any) {
	t.Helper()
	switch f.Type {
	case "keyword", "match_only_text", "text", "wildcard", "constant_keyword":
		s, ok := v.(string)
		if !ok {
			t.Errorf("%s: %v (%T), ECS type %s wants a string", name, v, v, f.Type)
			return
		}
		if len(f.Allowed) > 0 && !contains(f.Allowed, s) {
			t.Errorf("%s: %q is not one of ECS's %v", name, s, f.Allowed)
		}
	case "date":
		s, _ := v.(string)
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			t.Errorf("%s: %v is not an ISO 8601 date: %v", name, v, err)
		}
	case "long", "float", "scaled_float":
		if _, ok := v.(float64); !ok {
			t.Errorf("%s: %v (%T), ECS type %s wants a number", name, v, v, f.Type)
		}
	default:
		t.Errorf("%s: ECS type %s, which ferry does not write", name, f.Type)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestFormats: json and text are slog's own; anything else is refused
// with the formats to use.
func TestFormats(t *testing.T) {
	for _, f := range Formats {
		var buf bytes.Buffer
		log, err := New(f, &buf, slog.LevelInfo)
		if err != nil {
			t.Fatal(err)
		}
		log.Info("hello", "env", "dev")
		if !strings.Contains(buf.String(), "hello") || !strings.Contains(buf.String(), "dev") {
			t.Errorf("%s: %q", f, buf.String())
		}
	}
	if _, err := New("xml", &bytes.Buffer{}, slog.LevelInfo); err == nil || !strings.Contains(err.Error(), "json, text, ecs") {
		t.Fatalf("xml: %v", err)
	}
}
