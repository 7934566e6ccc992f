# Replace the example account ID (123456789012) with your production account.
environment = "production"
region      = "eu-west-1"
vpc_cidr    = "10.40.0.0/16"
admin_cidrs = ["10.0.0.0/16"]
cluster_admin_role_arns = [
  "arn:aws:iam::123456789012:role/platform-runner",
  "arn:aws:iam::123456789012:role/platform-break-glass",
]
kubernetes_version = "1.31"
ferry_image        = "ghcr.io/ferry-dev/ferry:0.1.0"

tags = {
  owner       = "platform-team"
  cost-center = "cc-1001"
  managed-by  = "ferry"
}
