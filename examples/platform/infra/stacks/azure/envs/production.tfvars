# Replace the all-zero IDs with your subscription and your AKS admin group
# (IDs, not secrets: credentials come from the runner's Entra ID login).
environment            = "production"
subscription_id        = "00000000-0000-0000-0000-000000000000"
location               = "westeurope"
address_space          = "10.50.0.0/16"
admin_cidrs            = ["10.0.0.0/16"]
admin_group_object_ids = ["00000000-0000-0000-0000-000000000000"]
kubernetes_version     = "1.31"
ferry_image            = "ghcr.io/ferry-dev/ferry:0.1.0"

tags = {
  owner       = "platform-team"
  cost-center = "cc-1001"
  managed-by  = "ferry"
}
