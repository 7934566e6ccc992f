package tfscan_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"ferry.dev/ferry/internal/check/tfscan"
	"ferry.dev/ferry/internal/platform"
)

// FuzzLoad feeds arbitrary bytes to the loader and evaluator as a root
// module, a child module and the root's terraform.tfvars: no input may
// panic or hang.
func FuzzLoad(f *testing.F) {
	seeds := []string{
		"",
		"resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n",
		"variable \"n\" {\n  default = 3\n}\nresource \"aws_kms_key\" \"k\" {\n  count = var.n\n}\n",
		"locals {\n  a = local.b\n  b = local.a\n}\n",
		"module \"m\" {\n  source = \"./m\"\n  x = [for i in range(5) : i]\n}\n",
		"resource \"aws_security_group\" \"s\" {\n  dynamic \"ingress\" {\n    for_each = { a = 1 }\n    content {\n      from_port = ingress.value\n    }\n  }\n}\n",
		"x = <<EOF\n${\nEOF\n",
		"a = [[[[[[[[[[",
		"resource \"aws_kms_key\" \"k\" {\n  count = 1e30\n}\n",
		"resource \"aws_kms_key\" \"k\" {\n  for_each = toset([\"a\", null])\n}\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "m"), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"main.tf", "m/main.tf", "terraform.tfvars"} {
			if err := os.WriteFile(filepath.Join(dir, p), src, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		_, err := tfscan.Scan(context.Background(), tfscan.Request{Root: dir, Files: []string{"main.tf", "m/main.tf"},
			Settings: platform.Checks{RequiredTags: []string{"owner"}, AllowedRegions: []string{"eu-west-1"},
				AllowedLocations: []string{"westeurope"}, NamingPattern: "^[a-z-]+$"}})
		if err != nil {
			t.Fatalf("scan: %v", err)
		}
	})
}
