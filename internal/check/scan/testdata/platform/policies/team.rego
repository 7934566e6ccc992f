package main

deny contains msg if {
	input.kind == "Deployment"
	not input.metadata.labels.team
	msg := sprintf("Deployment %s has no team label", [input.metadata.name])
}

warn contains msg if {
	input.kind == "Deployment"
	not input.spec.replicas
	msg := "replicas not set"
}
