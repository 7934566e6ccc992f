# Team policy, evaluated by `ferry validate` next to ferry's built-in rules
# (conftest-compatible: package main, deny rules that return messages).
package main

import rego.v1

# Kinds that must say which team owns them.
owned_kinds := {"Namespace", "Deployment", "StatefulSet", "DaemonSet", "Service", "ConfigMap", "ServiceAccount", "NetworkPolicy"}

deny contains msg if {
	owned_kinds[input.kind]
	not input.metadata.labels.team
	msg := sprintf("%s %q has no team label: every object must name its owning team", [input.kind, input.metadata.name])
}

deny contains msg if {
	input.kind == "Deployment"
	not input.spec.template.metadata.labels.team
	msg := sprintf("Deployment %q: pod template has no team label, so its pods cannot be attributed", [input.metadata.name])
}

deny contains msg if {
	input.kind == "Namespace"
	input.metadata.labels["pod-security.kubernetes.io/enforce"] != "restricted"
	msg := sprintf("Namespace %q must enforce the restricted Pod Security Standard", [input.metadata.name])
}

deny contains msg if {
	input.kind == "Namespace"
	not input.metadata.labels["pod-security.kubernetes.io/enforce"]
	msg := sprintf("Namespace %q must enforce the restricted Pod Security Standard", [input.metadata.name])
}
