environment  = "dev"
cluster_name = "ferry-dev"
kube_context = "ferry-local"

tags = {
  owner       = "platform-team"
  cost-center = "cc-1001"
  managed-by  = "ferry"
}
