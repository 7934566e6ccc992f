environment        = "production"
region             = "eu-west-1"
vpc_cidr           = "10.40.0.0/16"
admin_cidrs        = ["10.0.0.0/16"]
kubernetes_version = "1.31"
ferry_image        = "ghcr.io/ferry-dev/ferry:0.1.0"

tags = {
  owner       = "platform-team"
  cost-center = "cc-1001"
  managed-by  = "ferry"
}
