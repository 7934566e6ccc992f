package tfscan_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan"
	"ferry.dev/ferry/internal/platform"
)

// TestReferencePlatform scans examples/platform's Terraform for every
// environment with its own ferry.yaml check settings: the reference
// platform must have no high or critical finding from these rules.
func TestReferencePlatform(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "..", "examples", "platform")
	raw, err := os.ReadFile(filepath.Join(root, "ferry.yaml"))
	if err != nil {
		t.Fatalf("read reference platform: %v", err)
	}
	// Only the parts this test needs; platform.Load owns strict parsing.
	var doc struct {
		Spec struct {
			Checks     platform.Checks `yaml:"checks"`
			Components []struct {
				Inputs map[string]struct {
					VarFiles []string `yaml:"varFiles"`
				} `yaml:"inputs"`
			} `yaml:"components"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("parse ferry.yaml: %v", err)
	}
	envs := map[string][]string{}
	for _, c := range doc.Spec.Components {
		for env, in := range c.Inputs {
			envs[env] = append(envs[env], in.VarFiles...)
		}
	}
	files := tfFiles(t, root)
	if len(files) == 0 || len(envs) == 0 {
		t.Fatalf("reference platform has %d .tf files and %d environments", len(files), len(envs))
	}
	for env, varFiles := range envs {
		fs, err := tfscan.Scan(context.Background(), tfscan.Request{Root: root, Files: files, Env: env,
			VarFiles: varFiles, Settings: doc.Spec.Checks})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			if check.AtLeast(f.Severity, platform.SeverityHigh) {
				t.Errorf("%s: %s %s:%d %s: %s", env, f.RuleID, f.Location.File, f.Location.Line, f.Resource, f.Message)
			}
		}
	}
}
