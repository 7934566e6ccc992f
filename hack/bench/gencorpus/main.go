// Command gencorpus writes the benchmark corpus for hack/bench/validate.sh:
// Terraform files of about 50 lines (AWS resources with variables, locals,
// count and some misconfigurations) spread over module directories, and
// multi-document Kubernetes YAML files (Deployments, Services, ConfigMaps,
// ServiceAccounts, NetworkPolicies), half of them hardened. Output is
// deterministic for the same flags.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	out := flag.String("out", "corpus", "output directory (replaced)")
	tfFiles := flag.Int("tf", 1000, "number of .tf files")
	perDir := flag.Int("tf-per-dir", 10, ".tf files per module directory")
	docs := flag.Int("k8s", 5000, "number of Kubernetes documents")
	perFile := flag.Int("docs-per-file", 5, "documents per YAML file")
	flag.Parse()
	if err := os.RemoveAll(*out); err != nil {
		log.Fatal(err)
	}
	for i := range *tfFiles {
		dir := filepath.Join(*out, "terraform", fmt.Sprintf("stack%03d", i / *perDir))
		write(filepath.Join(dir, fmt.Sprintf("main%02d.tf", i%*perDir)), tfFile(i, i%*perDir == 0))
	}
	for f := 0; f*(*perFile) < *docs; f++ {
		var b strings.Builder
		for d := 0; d < *perFile && f*(*perFile)+d < *docs; d++ {
			if d > 0 {
				b.WriteString("---\n")
			}
			b.WriteString(k8sDoc(f, d))
		}
		write(filepath.Join(*out, "kubernetes", fmt.Sprintf("app%03d", f/50), fmt.Sprintf("app%04d.yaml", f)), b.String())
	}
}

func write(path, content string) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		log.Fatal(err)
	}
}

// tfFile is ~50 lines; the first file of each directory declares the
// variables the others use.
func tfFile(i int, first bool) string {
	var b strings.Builder
	if first {
		fmt.Fprintf(&b, `variable "env" {
  type    = string
  default = "dev"
}

variable "owner" {
  type    = string
  default = "team-%d"
}

`, i)
	}
	public := i%3 == 0
	acl := "private"
	if public {
		acl = "public-read"
	}
	fmt.Fprintf(&b, `locals {
  name_%[1]d = "${var.env}-bucket-%[1]d"
  tags_%[1]d = {
    owner       = var.owner
    environment = var.env
  }
}

resource "aws_s3_bucket" "b%[1]d" {
  bucket = local.name_%[1]d
  acl    = %[2]q
  tags   = local.tags_%[1]d

  versioning {
    enabled = %[3]t
  }
}

resource "aws_s3_bucket_public_access_block" "b%[1]d" {
  bucket                  = aws_s3_bucket.b%[1]d.id
  block_public_acls       = %[4]t
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_security_group" "sg%[1]d" {
  name = "sg-%[1]d"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [%[5]q]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["10.0.0.0/8"]
  }
}

resource "aws_instance" "vm%[1]d" {
  count         = 2
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  tags          = local.tags_%[1]d
}
`, i, acl, i%2 == 0, !public, map[bool]string{true: "0.0.0.0/0", false: "10.0.0.0/16"}[i%4 == 0])
	return b.String()
}

func k8sDoc(f, d int) string {
	name := fmt.Sprintf("app%04d", f)
	hardened := f%2 == 0
	switch d {
	case 0:
		return deployment(name, hardened)
	case 1:
		return fmt.Sprintf("apiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n  namespace: ns%03d\nspec:\n  selector:\n    app: %s\n  ports:\n    - port: 80\n      targetPort: http\n", name, f/50, name)
	case 2:
		return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  namespace: ns%03d\ndata:\n  LOG_LEVEL: info\n  FEATURE_FLAGS: \"a,b,c\"\n", name, f/50)
	case 3:
		return fmt.Sprintf("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: %s\n  namespace: ns%03d\nautomountServiceAccountToken: false\n", name, f/50)
	}
	return fmt.Sprintf("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: %s\n  namespace: ns%03d\nspec:\n  podSelector:\n    matchLabels:\n      app: %s\n  policyTypes: [Ingress]\n  ingress:\n    - from:\n        - podSelector: {}\n", name, f/50, name)
}

func deployment(name string, hardened bool) string {
	sec := `          securityContext:
            privileged: true
`
	image := "nginx:latest"
	if hardened {
		sec = `          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            runAsNonRoot: true
            capabilities:
              drop: [ALL]
`
		image = "registry.example.com/" + name + ":1.4.2"
	}
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  namespace: default
  labels:
    app: %[1]s
spec:
  replicas: 2
  selector:
    matchLabels:
      app: %[1]s
  template:
    metadata:
      labels:
        app: %[1]s
    spec:
      containers:
        - name: app
          image: %[2]s
          ports:
            - name: http
              containerPort: 8080
%[3]s          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
`, name, image, sec)
}
