locals {
  # Every app of an environment lives in its own namespace, prefixed with the
  # environment, so dev and staging can share one local cluster.
  namespace_prefix = "${var.environment}-"
  namespaces       = { for app in sort(tolist(var.apps)) : app => "${local.namespace_prefix}${app}" }

  tags = merge(var.tags, { environment = var.environment })

  settings = {
    environment      = var.environment
    cluster_name     = var.cluster_name
    kube_context     = var.kube_context
    namespace_prefix = local.namespace_prefix
    namespaces       = local.namespaces
    tags             = local.tags
  }
}

# The environment's settings, recorded in state. Changing any of them shows up
# as a planned change, so drift between Git and the recorded environment is
# visible to `ferry plan` and the reconciler.
resource "terraform_data" "environment" {
  input = local.settings
}

# One record per application namespace; apps consume the names through the
# stack's outputs (ferry hands exports to components that depend on it).
resource "terraform_data" "namespace" {
  for_each = local.namespaces

  input = {
    app         = each.key
    namespace   = each.value
    environment = var.environment
    labels      = merge(local.tags, { "app.kubernetes.io/name" = each.key })
  }

  # A namespace belongs to its environment: replace the record if the
  # environment's identity changes.
  triggers_replace = [terraform_data.environment.output.environment, terraform_data.environment.output.cluster_name]
}
