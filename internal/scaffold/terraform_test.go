package scaffold

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"ferry.dev/ferry/internal/testenv"
)

// terraform runs the real terraform in dir with testenv's isolated
// environment (no user CLI config, no TF_* leaking in, no update check) and
// the working data kept inside dir.
func terraform(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	bin := testenv.TerraformBin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-chdir=" + dir}, args...)...)
	env := testenv.TerraformEnv(t)
	env["TF_IN_AUTOMATION"] = "1"
	env["TF_INPUT"] = "0"
	env["TF_DATA_DIR"] = filepath.Join(dir, ".tfdata")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func TestTerraformFmt(t *testing.T) {
	t.Parallel()
	dir := written(t)
	if out, err := terraform(t, filepath.Join(dir, "infra"), "fmt", "-check", "-recursive", "-diff"); err != nil {
		t.Fatalf("terraform fmt -check -recursive infra: %v\n%s", err, out)
	}
}

// TestLocalStackApplies inits and applies the local stack for dev and
// staging with the real terraform, offline, then checks its outputs and that
// a second plan finds no changes.
func TestLocalStackApplies(t *testing.T) {
	t.Parallel()
	tests := []struct{ env, cluster string }{{"dev", "ferry-dev"}, {"staging", "ferry-staging"}}
	for _, tc := range tests {
		t.Run(tc.env, func(t *testing.T) {
			t.Parallel()
			stack := filepath.Join(written(t), "infra", "stacks", "local")
			varFile := "-var-file=envs/" + tc.env + ".tfvars"
			if out, err := terraform(t, stack, "init", "-input=false", "-no-color"); err != nil {
				t.Fatalf("terraform init: %v\n%s", err, out)
			}
			if out, err := terraform(t, stack, "apply", "-auto-approve", "-input=false", "-no-color", varFile); err != nil {
				t.Fatalf("terraform apply: %v\n%s", err, out)
			}
			out, err := terraform(t, stack, "output", "-json")
			if err != nil {
				t.Fatalf("terraform output: %v\n%s", err, out)
			}
			var outputs map[string]struct {
				Value any `json:"value"`
			}
			if err := json.Unmarshal([]byte(out), &outputs); err != nil {
				t.Fatalf("decode outputs: %v\n%s", err, out)
			}
			for name, want := range map[string]any{
				"cluster_name":     tc.cluster,
				"namespace_prefix": tc.env + "-",
				"kube_context":     "ferry-local",
			} {
				if got := outputs[name].Value; got != want {
					t.Errorf("output %s = %v, want %v", name, got, want)
				}
			}
			ns, _ := outputs["namespaces"].Value.(map[string]any)
			if ns["backstage"] != tc.env+"-backstage" || len(ns) != 3 {
				t.Errorf("output namespaces = %v", ns)
			}
			if out, err := terraform(t, stack, "plan", "-detailed-exitcode", "-input=false", "-no-color", varFile); err != nil {
				t.Errorf("second plan is not empty (exit %v):\n%s", err, out)
			}
			if _, err := os.Stat(filepath.Join(stack, ".tfdata", "providers")); !os.IsNotExist(err) {
				t.Errorf("the local stack downloaded providers (stat: %v)", err)
			}
		})
	}
}

func TestLocalStackRejectsProduction(t *testing.T) {
	t.Parallel()
	stack := filepath.Join(written(t), "infra", "stacks", "local")
	if out, err := terraform(t, stack, "init", "-input=false", "-no-color"); err != nil {
		t.Fatalf("terraform init: %v\n%s", err, out)
	}
	out, err := terraform(t, stack, "plan", "-input=false", "-no-color", "-var-file=envs/dev.tfvars", "-var=environment=production")
	if err == nil || !strings.Contains(out, "only the dev and staging") {
		t.Fatalf("plan for production = %v, want the variable validation error:\n%s", err, out)
	}
}

// TestTerraformHCL parses every .tf and .tfvars file and checks what a
// careful team asks in review: variables and outputs described, the local
// stack free of providers, production stacks with partial backends.
func TestTerraformHCL(t *testing.T) {
	t.Parallel()
	dir := written(t)
	p := hclparse.NewParser()
	var tfFiles []string
	err := filepath.WalkDir(filepath.Join(dir, "infra"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(path) {
		case ".tf":
			tfFiles = append(tfFiles, path)
			fallthrough
		case ".tfvars":
			if _, diags := p.ParseHCLFile(path); diags.HasErrors() {
				t.Errorf("%s: %s", path, diags.Error())
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tfFiles) < 20 {
		t.Fatalf("only %d .tf files under infra", len(tfFiles))
	}
	for _, f := range tfFiles {
		rel, _ := filepath.Rel(dir, f)
		body := p.Files()[f].Body.(*hclsyntax.Body)
		for _, b := range body.Blocks {
			checkBlock(t, filepath.ToSlash(rel), b)
		}
	}
}

func checkBlock(t *testing.T, rel string, b *hclsyntax.Block) {
	t.Helper()
	local := strings.HasPrefix(rel, "infra/stacks/local/")
	switch b.Type {
	case "variable", "output":
		if _, ok := b.Body.Attributes["description"]; !ok {
			t.Errorf("%s: %s %q has no description", rel, b.Type, b.Labels[0])
		}
	case "provider":
		if local {
			t.Errorf("%s: the local stack must not configure provider %q", rel, b.Labels[0])
		}
	case "resource", "data":
		if local && !(b.Type == "resource" && b.Labels[0] == "terraform_data") {
			t.Errorf("%s: the local stack may only use terraform_data, has %s %q", rel, b.Type, b.Labels[0])
		}
	case "terraform":
		for _, inner := range b.Body.Blocks {
			if inner.Type == "required_providers" && local {
				t.Errorf("%s: the local stack must not require providers", rel)
			}
			if inner.Type == "backend" && len(inner.Body.Attributes) > 0 {
				t.Errorf("%s: backend %q must be a partial configuration (settings come from ferry.yaml)", rel, inner.Labels[0])
			}
		}
	}
}

// TestModelMatchesTree checks ferry.yaml against the files it names: the
// exports of each Terraform component are outputs of its stack, and every
// per-environment var file exists.
func TestModelMatchesTree(t *testing.T) {
	t.Parallel()
	dir := written(t)
	p := loadModel(t, dir)
	for _, c := range p.Spec.Components {
		if c.Type != "terraform" {
			continue
		}
		outputs := stackOutputs(t, filepath.Join(dir, c.Path))
		for _, e := range c.Exports {
			if !slices.Contains(outputs, e) {
				t.Errorf("component %s exports %q, not an output of %s (outputs: %v)", c.Name, e, c.Path, outputs)
			}
		}
		for env, in := range c.Inputs {
			for _, vf := range in.VarFiles {
				if _, err := os.Stat(filepath.Join(dir, vf)); err != nil {
					t.Errorf("component %s env %s: var file %s: %v", c.Name, env, vf, err)
				}
			}
		}
	}
}

func stackOutputs(t *testing.T, stack string) []string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(stack, "outputs.tf"))
	if err != nil {
		t.Fatal(err)
	}
	f, diags := hclsyntax.ParseConfig(src, "outputs.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	var names []string
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		if b.Type == "output" {
			names = append(names, b.Labels[0])
		}
	}
	return names
}
