package legacy

deny[msg] {
	input.kind == "Service"
	input.spec.type == "LoadBalancer"
	msg := "no LoadBalancer services"
}
