package main

deny contains msg if {
	input.kind == "Deployment"
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := sprintf("Deployment %s must set runAsNonRoot", [input.metadata.name])
}

warn_replicas contains msg if {
	input.kind == "Deployment"
	input.spec.replicas < 2
	msg := "fewer than 2 replicas"
}

deny contains msg if {
	some name
	b := input.resource.aws_s3_bucket[name][_]
	b.acl == "public-read"
	msg := sprintf("bucket %s is public", [name])
}

deny contains msg if {
	some rc in input.resource_changes
	rc.type == "aws_instance"
	"create" in rc.change.actions
	rc.change.after.instance_type == "m5.24xlarge"
	msg := sprintf("%s: instance type too large", [rc.address])
}
