# The conftest side of the benchmark: the same Kubernetes checks ferry runs
# in Go, written as conftest policies (a subset: a team would need many more).
package main

import rego.v1

containers contains c if {
	input.kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
	some c in input.spec.template.spec.containers
}

deny contains msg if {
	some c in containers
	c.securityContext.privileged
	msg := sprintf("%s/%s: container %s is privileged", [input.kind, input.metadata.name, c.name])
}

deny contains msg if {
	some c in containers
	not c.securityContext.allowPrivilegeEscalation == false
	msg := sprintf("%s/%s: container %s allows privilege escalation", [input.kind, input.metadata.name, c.name])
}

deny contains msg if {
	some c in containers
	endswith(c.image, ":latest")
	msg := sprintf("%s/%s: container %s uses latest", [input.kind, input.metadata.name, c.name])
}

warn contains msg if {
	input.metadata.namespace == "default"
	msg := sprintf("%s/%s is in the default namespace", [input.kind, input.metadata.name])
}

deny contains msg if {
	some name
	b := input.resource.aws_s3_bucket[name][_]
	b.acl == "public-read"
	msg := sprintf("bucket %s is public", [name])
}
