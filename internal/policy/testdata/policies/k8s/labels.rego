package kubernetes.labels

violation contains {"msg": msg, "team": "platform"} if {
	input.kind == "Deployment"
	not input.metadata.labels.owner
	msg := "missing owner label"
}
