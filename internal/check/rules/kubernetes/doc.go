// Package kubernetes holds ferry's built-in Kubernetes workload rules
// (FERRY-K8S-…): pod and container security settings, resources, probes,
// images, host namespaces and volumes, secrets in env literals, namespaces
// and service-account tokens, each mapped to trivy KSV and checkov CKV_K8S
// IDs. It checks one parsed document at a time (Pod, Deployment,
// StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob,
// PodTemplate; containers, initContainers and ephemeralContainers). It does
// not load files, render overlays or validate schemas.
package kubernetes
