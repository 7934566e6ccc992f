package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"ferry.dev/ferry/internal/platform"
)

const configTestHeader = "apiVersion: ferry.dev/v1alpha1\nkind: Platform\nmetadata:\n  name: demo\nspec:\n"

// configRepo writes a platform repository with ferry.yaml = doc and the
// given directories.
func configRepo(t *testing.T, doc string, dirs ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if doc != "" {
		if err := os.WriteFile(filepath.Join(dir, platform.FileName), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runFerry runs ferry in-process and returns exit code, stdout, stderr.
func runFerry(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

const configValidDoc = configTestHeader + `  components:
    - name: net
      type: terraform
      path: infra/net
  store:
    driver: postgres
    dsn: "postgres://ferry:${FERRY_TEST_DB_PASSWORD}@db.internal:5432/ferry"
`

const configBrokenDoc = configTestHeader + `  environments:
    - name: dev
      lane: devel
  components:
    - name: net
      type: terraform
      path: infra/missing
`

func TestConfigCheck(t *testing.T) {
	t.Parallel()
	valid := configRepo(t, configValidDoc, "infra/net")
	broken := configRepo(t, configBrokenDoc)
	empty := configRepo(t, "")
	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     string // exact
		stderrHas  string
		stderrNone bool
	}{
		{name: "ok", args: []string{"config", "check", "--repo", valid}, code: 0,
			stdout: "ferry.yaml: ok (4 lanes, 3 environments, 1 component)\n", stderrNone: true},
		{name: "problems", args: []string{"config", "check", "--repo", broken}, code: 2,
			stdout: "ferry.yaml:8: spec.environments[0].lane: lane \"devel\" is not declared (lanes: develop, staging, main, release)\n" +
				"ferry.yaml:12: spec.components[0].path: path \"infra/missing\" does not exist in the repository\n",
			stderrHas: "Error: ferry.yaml: 2 problems\n"},
		{name: "missing file", args: []string{"config", "check", "--repo", empty}, code: 2,
			stderrHas: "Try: ferry --repo DIR"},
		{name: "no subcommand", args: []string{"config"}, code: 2, stderrHas: "config needs a subcommand"},
		{name: "unknown subcommand", args: []string{"config", "lint"}, code: 2, stderrHas: `unknown config subcommand "lint"`},
		{name: "extra argument", args: []string{"config", "check", "x"}, code: 2, stderrHas: "check takes 0 argument(s)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runFerry(t, tc.args...)
			if code != tc.code || stdout != tc.stdout || !strings.Contains(stderr, tc.stderrHas) || (tc.stderrNone && stderr != "") {
				t.Errorf("exit %d (want %d)\nstdout:\n%s\nwant stdout:\n%s\nstderr:\n%s", code, tc.code, stdout, tc.stdout, stderr)
			}
		})
	}
}

func TestConfigCheckJSON(t *testing.T) {
	t.Parallel()
	type result struct {
		OK       bool             `json:"ok"`
		Problems []map[string]any `json:"problems"`
	}
	tests := []struct {
		name  string
		repo  string
		code  int
		ok    bool
		first map[string]any
	}{
		{name: "ok", repo: configRepo(t, configValidDoc, "infra/net"), code: 0, ok: true},
		{name: "problems", repo: configRepo(t, configBrokenDoc), code: 2, first: map[string]any{
			"file": "ferry.yaml", "line": 8.0, "column": 13.0, "path": "spec.environments[0].lane",
			"message": `lane "devel" is not declared (lanes: develop, staging, main, release)`}},
		{name: "missing file", repo: configRepo(t, ""), code: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, _ := runFerry(t, "config", "check", "-o", "json", "--repo", tc.repo)
			var got result
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
			}
			if code != tc.code || got.OK != tc.ok || got.Problems == nil || (tc.ok != (len(got.Problems) == 0)) {
				t.Fatalf("exit %d, result %s", code, stdout)
			}
			if tc.first != nil && !reflect.DeepEqual(got.Problems[0], tc.first) {
				t.Errorf("first problem = %v, want %v", got.Problems[0], tc.first)
			}
		})
	}
}

// config show prints the effective model, which parses back to the same
// model, and never the store DSN.
func TestConfigShow(t *testing.T) {
	t.Parallel()
	dir := configRepo(t, configValidDoc, "infra/net")
	want, err := platform.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"text", "json"} {
		code, stdout, stderr := runFerry(t, "config", "show", "-o", format, "--repo", dir)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", format, code, stderr)
		}
		for _, secret := range []string{"FERRY_TEST_DB_PASSWORD", "db.internal", "dsn"} {
			if strings.Contains(stdout, secret) {
				t.Errorf("%s output shows the DSN (%q):\n%s", format, secret, stdout)
			}
		}
		if format == "json" {
			var got platform.Platform
			if err := json.Unmarshal([]byte(stdout), &got); err != nil || got.Spec.Lanes[3].Name != "release" ||
				got.Spec.Environments[0].DriftInterval != want.Spec.Environments[0].DriftInterval {
				t.Errorf("json output: %v\n%s", err, stdout)
			}
			continue
		}
		// The YAML is itself a valid ferry.yaml (the DSN put back) equal to the model.
		doc := strings.Replace(stdout, "    driver: postgres\n",
			"    driver: postgres\n    dsn: \"postgres://ferry:${FERRY_TEST_DB_PASSWORD}@db.internal:5432/ferry\"\n", 1)
		got, err := platform.Parse([]byte(doc), "show.yaml", dir)
		if err != nil {
			t.Fatalf("show output does not parse: %v\n%s", err, stdout)
		}
		if !bytes.Equal(configYAML(t, got), configYAML(t, want)) {
			t.Errorf("show output differs from the model:\n%s", stdout)
		}
	}
	code, _, stderr := runFerry(t, "config", "show", "--repo", configRepo(t, configBrokenDoc))
	if code != 2 || !strings.Contains(stderr, "Error: ferry.yaml:8: spec.environments[0].lane") {
		t.Errorf("show of a broken file: exit %d, stderr %s", code, stderr)
	}
}

// configYAML renders a model for comparison (nil and empty lists alike).
func configYAML(t *testing.T, p *platform.Platform) []byte {
	t.Helper()
	b, err := yaml.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
