package tfscan_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/check/tfscan"
	"ferry.dev/ferry/internal/platform"
)

// BenchmarkScan scans 1,000 generated .tf files of ~45 lines in 100 root
// modules, the Terraform half of the benchmark corpus.
func BenchmarkScan(b *testing.B) {
	root := b.TempDir()
	var files []string
	for i := range 1000 {
		dir := "stack" + strconv.Itoa(i/10)
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			b.Fatal(err)
		}
		rel := dir + "/f" + strconv.Itoa(i) + ".tf"
		src := strings.ReplaceAll(benchTemplate, "N", strconv.Itoa(i))
		if err := os.WriteFile(filepath.Join(root, rel), []byte(src), 0o600); err != nil {
			b.Fatal(err)
		}
		files = append(files, rel)
	}
	req := tfscan.Request{Root: root, Files: files, Settings: platform.Checks{RequiredTags: []string{"owner"}}}
	b.ResetTimer()
	for b.Loop() {
		if _, err := tfscan.Scan(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

const benchTemplate = `variable "envN" {
  default = "dev"
}

locals {
  tagsN = { owner = "team", env = var.envN }
}

resource "aws_s3_bucket" "bN" {
  bucket = "bucket-N-${var.envN}"
  tags   = local.tagsN
}

resource "aws_s3_bucket_public_access_block" "bN" {
  bucket                  = aws_s3_bucket.bN.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_security_group" "sgN" {
  name = "sg-N"
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
  tags = local.tagsN
}

resource "aws_kms_key" "kN" {
  enable_key_rotation = true
  tags                = local.tagsN
}
`
