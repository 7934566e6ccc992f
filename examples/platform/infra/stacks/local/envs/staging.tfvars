environment  = "staging"
cluster_name = "ferry-staging"
kube_context = "ferry-local"

tags = {
  owner       = "platform-team"
  cost-center = "cc-1001"
  managed-by  = "ferry"
}
