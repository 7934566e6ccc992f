package terraform

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// Binaries ferry looks for on PATH, in order, when none is configured.
var Binaries = []string{"terraform", "tofu"}

// ErrNoBinary is returned when neither terraform nor tofu can be found.
var ErrNoBinary = errors.New("no terraform or tofu binary found")

// Find returns the path of bin, or of the first of Binaries on PATH when bin
// is empty. $FERRY_TERRAFORM overrides the search.
func Find(bin string) (string, error) {
	if bin == "" {
		bin = os.Getenv("FERRY_TERRAFORM")
	}
	if bin != "" {
		p, err := exec.LookPath(bin)
		if err != nil {
			return "", fmt.Errorf("find %s: %w", bin, ErrNoBinary)
		}
		return p, nil
	}
	for _, b := range Binaries {
		if p, err := exec.LookPath(b); err == nil {
			return p, nil
		}
	}
	return "", ErrNoBinary
}

// PolicyChecker evaluates policies on a plan's JSON (terraform show -json).
// A non-nil error blocks the apply; package policy implements it.
type PolicyChecker interface {
	CheckPlan(ctx context.Context, component string, planJSON []byte) error
}

// Stack is one root module run for one environment target.
type Stack struct {
	Component string
	// Dir is the root module in the working copy.
	Dir string
	// StateDir holds TF_DATA_DIR, saved plans and local-backend state; it
	// must outlive the working copy.
	StateDir string
	// Workspace is the Terraform workspace ("" keeps "default").
	Workspace string
	// Backend is the backend type ("" or "local": local state in StateDir).
	Backend string
	// BackendConfig values are passed as -backend-config key=value;
	// "${VAR}" is expanded from the environment.
	BackendConfig map[string]string
	// VarFiles are absolute paths; Vars are passed as -var.
	VarFiles []string
	Vars     map[string]string
}

// Runner runs stacks with one binary.
type Runner struct {
	Bin string // path of terraform or tofu
	// Env is added to the process environment of every command.
	Env map[string]string
	// Policy, when set, must approve every plan before it is applied.
	Policy PolicyChecker
}

// NewRunner finds the binary (see Find) and returns a Runner.
func NewRunner(bin string) (*Runner, error) {
	p, err := Find(bin)
	if err != nil {
		return nil, err
	}
	return &Runner{Bin: p, Env: map[string]string{}}, nil
}

const overrideFile = "ferry_backend_override.tf"

// open prepares the working copy and returns a terraform-exec handle.
func (r *Runner) open(s Stack) (*tfexec.Terraform, error) {
	if s.Dir == "" || s.StateDir == "" {
		return nil, errors.New("stack needs Dir and StateDir")
	}
	if err := os.MkdirAll(filepath.Join(s.StateDir, "data"), 0o700); err != nil {
		return nil, fmt.Errorf("create state dir: %w", err)
	}
	backend := s.Backend
	if backend == "" {
		backend = "local"
	}
	override := fmt.Sprintf("# Written by ferry for this run; not committed.\nterraform {\n  backend %q {}\n}\n", backend)
	if err := os.WriteFile(filepath.Join(s.Dir, overrideFile), []byte(override), 0o600); err != nil {
		return nil, fmt.Errorf("write backend override: %w", err)
	}
	tf, err := tfexec.NewTerraform(s.Dir, r.Bin)
	if err != nil {
		return nil, fmt.Errorf("terraform: %w", err)
	}
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	for k, v := range r.Env {
		env[k] = v
	}
	env["TF_DATA_DIR"] = filepath.Join(s.StateDir, "data")
	env["CHECKPOINT_DISABLE"] = "1"
	for k := range env {
		if k == "TF_WORKSPACE" || k == "TF_CLI_ARGS" || strings.HasPrefix(k, "TF_CLI_ARGS_") ||
			strings.HasPrefix(k, "TF_VAR_") || strings.HasPrefix(k, "TF_LOG") || k == "TF_INPUT" ||
			k == "TF_IN_AUTOMATION" || k == "TF_REATTACH_PROVIDERS" || k == "TF_APPEND_USER_AGENT" ||
			k == "TF_DISABLE_PLUGIN_TLS" || k == "TF_SKIP_PROVIDER_VERIFY" {
			delete(env, k) // terraform-exec refuses to pass these through
		}
	}
	if err := tf.SetEnv(env); err != nil {
		return nil, fmt.Errorf("terraform env: %w", err)
	}
	return tf, nil
}

// backendConfig returns the -backend-config options: the target's config
// with ${VAR} expanded, and for the local backend a state path in StateDir.
func (r *Runner) backendConfig(s Stack) []string {
	cfg := map[string]string{}
	for k, v := range s.BackendConfig {
		cfg[k] = r.expand(v)
	}
	if s.Backend == "" || s.Backend == "local" {
		if _, ok := cfg["path"]; !ok {
			cfg["path"] = filepath.Join(s.StateDir, "terraform.tfstate")
		}
		if _, ok := cfg["workspace_dir"]; !ok {
			cfg["workspace_dir"] = filepath.Join(s.StateDir, "workspaces")
		}
	}
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+cfg[k])
	}
	return out
}

// Init runs terraform init with the backend and selects (or creates) the
// workspace.
func (r *Runner) Init(ctx context.Context, s Stack) (*tfexec.Terraform, error) {
	tf, err := r.open(s)
	if err != nil {
		return nil, r.redact(s, fmt.Errorf("init %s: %w", s.Component, err))
	}
	opts := []tfexec.InitOption{tfexec.Upgrade(false), tfexec.Reconfigure(true)}
	for _, kv := range r.backendConfig(s) {
		opts = append(opts, tfexec.BackendConfig(kv))
	}
	if err := tf.Init(ctx, opts...); err != nil {
		return nil, r.redact(s, fmt.Errorf("init %s: %w", s.Component, err))
	}
	if s.Workspace != "" && s.Workspace != "default" {
		if err := selectWorkspace(ctx, tf, s.Workspace); err != nil {
			return nil, r.redact(s, fmt.Errorf("workspace %s: %w", s.Workspace, err))
		}
	}
	return tf, nil
}

func selectWorkspace(ctx context.Context, tf *tfexec.Terraform, ws string) error {
	list, current, err := tf.WorkspaceList(ctx)
	if err != nil {
		return err
	}
	if current == ws {
		return nil
	}
	for _, w := range list {
		if w == ws {
			return tf.WorkspaceSelect(ctx, ws)
		}
	}
	return tf.WorkspaceNew(ctx, ws)
}

// expand replaces ${VAR} with the runner's Env or the process environment.
func (r *Runner) expand(v string) string {
	return os.Expand(v, func(k string) string {
		if val, ok := r.Env[k]; ok {
			return val
		}
		return os.Getenv(k)
	})
}

// redact blanks backend-config values (connection strings, keys) in err's
// message while keeping errors.Is/As working.
func (r *Runner) redact(s Stack, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, v := range s.BackendConfig {
		for _, val := range []string{v, r.expand(v)} {
			if len(val) >= 4 && strings.Contains(msg, val) {
				msg = strings.ReplaceAll(msg, val, "[redacted]")
				changed = true
			}
		}
	}
	if !changed {
		return err
	}
	// The original error is dropped on purpose: unwrapping it would give
	// the unredacted message back.
	return errors.New(msg)
}
