package tfscan_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan"
	"ferry.dev/ferry/internal/check/tfscan/tfscantest"
	"ferry.dev/ferry/internal/platform"
)

// tfFiles lists the .tf files under root, relative and slash-separated.
func tfFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".tf") {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// expectations reads `# want` annotations of every file as "file:line RULE".
func expectations(t *testing.T, root string, files []string) []string {
	t.Helper()
	var out []string
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tfscantest.Expected(src) {
			line, rule, _ := strings.Cut(w, " ")
			out = append(out, f+":"+line+" "+rule)
		}
	}
	sort.Strings(out)
	return out
}

func rendered(fs []check.Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s:%d %s", f.Location.File, f.Location.Line, f.RuleID))
	}
	sort.Strings(out)
	return out
}

func TestEvaluation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		varFiles []string
		settings platform.Checks
	}{
		{name: "module_inputs"},
		{name: "expansion"},
		{name: "tfvars", varFiles: []string{"stacks/a/envs/prod.tfvars"},
			settings: platform.Checks{AllowedRegions: []string{"eu-west-1"}}},
		{name: "modules_not_scanned"},
		{name: "providers", settings: platform.Checks{RequiredTags: []string{"owner", "env"},
			AllowedRegions: []string{"eu-west-1"}}},
		{name: "syntax"},
		{name: "for_each_resource"},
		{name: "module_explosion"},
		{name: "module_outputs"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := filepath.Join("testdata", "eval", tc.name)
			files := tfFiles(t, root)
			fs, err := tfscan.Scan(context.Background(), tfscan.Request{Root: root, Files: files,
				Env: "prod", VarFiles: tc.varFiles, Settings: tc.settings})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := rendered(fs), expectations(t, root, files); !slices.Equal(got, want) {
				t.Errorf("findings:\n got  %v\n want %v", got, want)
				for _, f := range fs {
					t.Logf("  %s %s:%d %s (%s)", f.RuleID, f.Location.File, f.Location.Line, f.Message, f.Resource)
				}
			}
			for _, f := range fs {
				if f.Env != "prod" {
					t.Errorf("%s: env %q, want prod", f.RuleID, f.Env)
				}
				if f.Resource != "" && !strings.HasPrefix(f.Resource, "provider.") && f.Enclosing == nil {
					t.Errorf("%s on %s has no enclosing block", f.RuleID, f.Resource)
				}
			}
		})
	}
}

// TestAddresses checks Terraform addresses of expanded and module resources.
func TestAddresses(t *testing.T) {
	t.Parallel()
	root := filepath.Join("testdata", "eval", "module_inputs")
	fs, err := tfscan.Scan(context.Background(), tfscan.Request{Root: root, Files: tfFiles(t, root)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Resource)
	}
	want := []string{"module.public.aws_s3_bucket_acl.a"}
	if !slices.Equal(got, want) {
		t.Errorf("resources %v, want %v", got, want)
	}
	root = filepath.Join("testdata", "eval", "expansion")
	fs, err = tfscan.Scan(context.Background(), tfscan.Request{Root: root, Files: tfFiles(t, root)})
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, f := range fs {
		got = append(got, f.Resource)
	}
	sort.Strings(got)
	want = []string{`aws_kms_key.two[0]`, `aws_vpc_security_group_ingress_rule.r["ssh"]`}
	if !slices.Equal(got, want) {
		t.Errorf("resources %v, want %v", got, want)
	}
}

func TestSyntaxPosition(t *testing.T) {
	t.Parallel()
	root := filepath.Join("testdata", "eval", "syntax")
	fs, err := tfscan.Scan(context.Background(), tfscan.Request{Root: root, Files: []string{"broken.tf"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) == 0 || fs[0].RuleID != "FERRY-TF-001" || fs[0].Location.Line != 3 || fs[0].Location.Column < 8 {
		t.Fatalf("want FERRY-TF-001 at 3:8+, got %+v", fs)
	}
}

func TestGuards(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("deep.tf", "locals {\n  x = "+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+"\n}\n")
	write("big.tf", strings.Repeat("# padding\n", 1<<20+1))
	write("binary.tf", "\x00\xff\xfe resource \"\x01")
	cases := []struct{ file, rule string }{
		{"deep.tf", "FERRY-TF-001"}, {"big.tf", "FERRY-TF-003"}, {"binary.tf", "FERRY-TF-001"},
	}
	for _, tc := range cases {
		fs, err := tfscan.Scan(context.Background(), tfscan.Request{Root: dir, Files: []string{tc.file}})
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if len(fs) == 0 || fs[0].RuleID != tc.rule {
			t.Errorf("%s: want %s, got %+v", tc.file, tc.rule, fs)
		}
	}
	fs, err := tfscan.Scan(context.Background(), tfscan.Request{Root: dir, Files: []string{"missing.tf"}})
	if err != nil || len(fs) != 1 || fs[0].RuleID != "FERRY-TF-003" {
		t.Errorf("missing file: want one FERRY-TF-003 finding, got %v, %v", fs, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := tfscan.Scan(ctx, tfscan.Request{Root: dir, Files: []string{"binary.tf"}}); err == nil {
		t.Error("cancelled context: want an error")
	}
}

func TestRulesMetadata(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, r := range tfscan.Rules() {
		if seen[r.ID] {
			t.Errorf("duplicate rule %s", r.ID)
		}
		seen[r.ID] = true
		if r.Title == "" || r.Severity == "" || r.Rationale == "" || r.Remediation == "" || r.Domain == "" {
			t.Errorf("%s: incomplete metadata", r.ID)
		}
		for _, id := range r.TrivyIDs {
			if !strings.HasPrefix(id, "AVD-") {
				t.Errorf("%s: trivy ID %q not in AVD- form", r.ID, id)
			}
		}
	}
	for _, id := range []string{"FERRY-TF-001", "FERRY-TF-002", "FERRY-AWS-001", "FERRY-AZ-001", "FERRY-CMP-001"} {
		if !seen[id] {
			t.Errorf("Rules() lacks %s", id)
		}
	}
}

// TestScanEnvs: one parse, one evaluation per environment, each with its
// own tfvars; the results equal separate Scan calls.
func TestScanEnvs(t *testing.T) {
	t.Parallel()
	root := filepath.Join("testdata", "eval", "tfvars")
	files := tfFiles(t, root)
	settings := platform.Checks{AllowedRegions: []string{"eu-west-1"}}
	envs := []tfscan.EnvInputs{{Name: "dev"}, {Name: "prod", VarFiles: []string{"stacks/a/envs/prod.tfvars"}}}
	got, err := tfscan.ScanEnvs(context.Background(), tfscan.Request{Root: root, Files: files, Settings: settings}, envs)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, env := range envs {
		fs, err := tfscan.Scan(context.Background(), tfscan.Request{Root: root, Files: files, Env: env.Name,
			VarFiles: env.VarFiles, Settings: settings})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			want = append(want, f.Env+" "+f.RuleID+" "+f.Location.File)
		}
	}
	var gotS []string
	for _, f := range got {
		gotS = append(gotS, f.Env+" "+f.RuleID+" "+f.Location.File)
	}
	sort.Strings(gotS)
	sort.Strings(want)
	if !slices.Equal(gotS, want) {
		t.Errorf("ScanEnvs %v\nseparate scans %v", gotS, want)
	}
	if !slices.Contains(gotS, "prod FERRY-CMP-002 stacks/a/main.tf") || slices.Contains(gotS, "dev FERRY-CMP-002 stacks/a/main.tf") {
		t.Errorf("prod.tfvars must apply to prod only: %v", gotS)
	}
}

// TestBudgets: expressions whose work grows faster than their source end
// quickly and evaluate as unknown instead of hanging the scan.
func TestBudgets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := `locals {
  nested  = [for i in range(1000) : [for j in range(1000) : [for k in range(1000) : k]]]
  product = setproduct(range(100), range(100), range(100), range(100))
  padded  = format("%01000000000d", 1)
  spaces  = indent(1000000000, "a\nb")
  tmpl    = "%{for a in range(1000)}%{for b in range(1000)}%{for c in range(1000)}x%{endfor}%{endfor}%{endfor}"
}

resource "aws_kms_key" "k" {
  enable_key_rotation = length(local.nested) == 0 ? true : false
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan []check.Finding, 1)
	go func() {
		fs, err := tfscan.Scan(context.Background(), tfscan.Request{Root: dir, Files: []string{"main.tf"}})
		if err != nil {
			t.Error(err)
		}
		done <- fs
	}()
	select {
	case fs := <-done:
		// local.nested is unknown, so the key's rotation is unknown too:
		// no FERRY-AWS-022 may be guessed from it.
		for _, f := range fs {
			if f.RuleID == "FERRY-AWS-022" {
				t.Errorf("finding guessed from an expression over budget: %+v", f)
			}
		}
	case <-time.After(60 * time.Second):
		t.Fatal("scan did not finish: evaluation is not bounded")
	}
}
