# The GitOps layer a cluster gets before any app: the ferry agent's
# namespace (restricted Pod Security), its identity, and the least
# permissions it needs to apply the platform's apps. The apps themselves,
# their namespaces included, are deployed by ferry from Git, so this layer
# stays small and Terraform and ferry never manage the same object.
locals {
  labels = {
    "app.kubernetes.io/managed-by" = "terraform"
    "app.kubernetes.io/part-of"    = "ferry-platform"
    team                           = var.team
    environment                    = var.environment
  }
}

resource "kubernetes_namespace_v1" "ferry" {
  metadata {
    name = "ferry-system"
    labels = merge(local.labels, {
      "app.kubernetes.io/name"             = "ferry"
      "pod-security.kubernetes.io/enforce" = "restricted"
      "pod-security.kubernetes.io/audit"   = "restricted"
      "pod-security.kubernetes.io/warn"    = "restricted"
    })
  }
}

resource "kubernetes_service_account_v1" "ferry" {
  metadata {
    name      = "ferry-agent"
    namespace = kubernetes_namespace_v1.ferry.metadata[0].name
    labels    = local.labels
  }

  # The agent's pod mounts a projected token explicitly; nothing else gets one.
  automount_service_account_token = false
}

# Exactly the kinds the reference apps use; no wildcard verbs or resources,
# no access to Secrets, RBAC or cluster-scoped objects other than namespaces.
resource "kubernetes_cluster_role_v1" "ferry_deployer" {
  metadata {
    name   = "ferry-deployer"
    labels = local.labels
  }

  rule {
    api_groups = [""]
    resources  = ["namespaces", "configmaps", "services", "serviceaccounts"]
    verbs      = ["get", "list", "watch", "create", "update", "patch", "delete"]
  }

  rule {
    api_groups = ["apps"]
    resources  = ["deployments"]
    verbs      = ["get", "list", "watch", "create", "update", "patch", "delete"]
  }

  rule {
    api_groups = ["networking.k8s.io"]
    resources  = ["networkpolicies"]
    verbs      = ["get", "list", "watch", "create", "update", "patch", "delete"]
  }

  rule {
    api_groups = ["", "apps"]
    resources  = ["pods", "events", "replicasets"]
    verbs      = ["get", "list", "watch"]
  }
}

resource "kubernetes_cluster_role_binding_v1" "ferry_deployer" {
  metadata {
    name   = "ferry-deployer"
    labels = local.labels
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = kubernetes_cluster_role_v1.ferry_deployer.metadata[0].name
  }

  subject {
    kind      = "ServiceAccount"
    name      = kubernetes_service_account_v1.ferry.metadata[0].name
    namespace = kubernetes_namespace_v1.ferry.metadata[0].name
  }
}

# Leader election for the agent's replicas: one Lease in its own namespace.
resource "kubernetes_role_v1" "ferry_leader" {
  metadata {
    name      = "ferry-leader-election"
    namespace = kubernetes_namespace_v1.ferry.metadata[0].name
    labels    = local.labels
  }

  rule {
    api_groups = ["coordination.k8s.io"]
    resources  = ["leases"]
    verbs      = ["get", "create", "update"]
  }
}

resource "kubernetes_role_binding_v1" "ferry_leader" {
  metadata {
    name      = "ferry-leader-election"
    namespace = kubernetes_namespace_v1.ferry.metadata[0].name
    labels    = local.labels
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.ferry_leader.metadata[0].name
  }

  subject {
    kind      = "ServiceAccount"
    name      = kubernetes_service_account_v1.ferry.metadata[0].name
    namespace = kubernetes_namespace_v1.ferry.metadata[0].name
  }
}
