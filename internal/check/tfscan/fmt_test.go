package tfscan_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/check/tfscan"
)

// TestFormatMatchesTerraform runs the real `terraform fmt -check` on the
// format fixtures and requires FERRY-TF-002 on exactly the same files.
func TestFormatMatchesTerraform(t *testing.T) {
	t.Parallel()
	tf, err := exec.LookPath("terraform")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("terraform not on PATH: install Terraform 1.11 (https://developer.hashicorp.com/terraform/install) or run the project's setup script")
		}
		t.Skip("terraform not on PATH")
	}
	dir := filepath.Join("testdata", "fmt")
	cmd := exec.Command(tf, "fmt", "-check", "-list=true", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null", "CHECKPOINT_DISABLE=1")
	out, _ := cmd.Output() // exit 3 when files need formatting
	want := strings.Fields(string(out))
	sort.Strings(want)
	if len(want) == 0 {
		t.Fatalf("terraform fmt reported no file; the fixtures must include unformatted ones")
	}
	files := tfFiles(t, dir)
	fs, err := tfscan.Scan(context.Background(), tfscan.Request{Root: dir, Files: files})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		if f.RuleID == "FERRY-TF-002" {
			got = append(got, f.Location.File)
		}
	}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("FERRY-TF-002 on %v\nterraform fmt lists %v", got, want)
	}
}
