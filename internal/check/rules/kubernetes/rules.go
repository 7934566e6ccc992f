package kubernetes

import (
	"fmt"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/platform"
)

const (
	low    = platform.SeverityLow
	medium = platform.SeverityMedium
	high   = platform.SeverityHigh
)

// rule couples metadata with its check: pod-level rules see the workload,
// container rules see one container at a time, object rules any document.
type rule struct {
	meta      check.Rule
	pod       func(w *workload) []hit
	container func(w *workload, c container) []hit
	object    func(d *docView) []hit
}

func meta(id string, sev check.Severity, title, rationale, remediation string, trivy, checkov []string) check.Rule {
	return check.Rule{ID: id, Domain: "kubernetes", Severity: sev, Title: title, Rationale: rationale,
		Remediation: remediation, TrivyIDs: trivy, CheckovIDs: checkov,
		HelpURL: "https://ferry.dev/docs/rules/" + id}
}

func ids(s ...string) []string { return s }

// ksv lists trivy check IDs in both spellings: the AVD form older trivy
// prints (KSV017) and the one trivy ≥ 0.70 prints (KSV-0017).
func ksv(ns ...int) []string {
	var out []string
	for _, n := range ns {
		out = append(out, fmt.Sprintf("KSV%03d", n), fmt.Sprintf("KSV-%04d", n))
	}
	return out
}

var all = []rule{
	{meta: meta("FERRY-K8S-001", high, "Privileged container",
		"A privileged container has every capability and access to all host devices; escaping to the node is trivial.",
		"Remove securityContext.privileged or set it to false.", ksv(17), ids("CKV_K8S_16")),
		container: privileged},
	{meta: meta("FERRY-K8S-002", medium, "Privilege escalation allowed",
		"Without allowPrivilegeEscalation: false a process can gain more privileges than its parent (setuid binaries).",
		"Set securityContext.allowPrivilegeEscalation: false on every container.", ksv(1), ids("CKV_K8S_20")),
		container: privilegeEscalation},
	{meta: meta("FERRY-K8S-003", medium, "Container may run as root",
		"Containers running as root widen the impact of a container escape.",
		"Set securityContext.runAsNonRoot: true (pod or container) or a non-zero runAsUser.", ksv(12), ids("CKV_K8S_23")),
		container: runAsRoot},
	{meta: meta("FERRY-K8S-004", medium, "Root filesystem is writable",
		"A read-only root filesystem stops an attacker from installing tools or changing binaries.",
		"Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes where the app writes.", ksv(14), ids("CKV_K8S_22")),
		container: writableRoot},
	{meta: meta("FERRY-K8S-005", low, "Capabilities not dropped",
		"Default container capabilities (NET_RAW, CHOWN, …) are more than most applications need.",
		"Set securityContext.capabilities.drop: [ALL] and add back only what is needed.", ksv(3), ids("CKV_K8S_37", "CKV_K8S_28")),
		container: capsNotDropped},
	{meta: meta("FERRY-K8S-006", high, "Host network namespace shared",
		"hostNetwork exposes the node's network stack and lets the pod sniff or bind host traffic.",
		"Remove hostNetwork: true.", ksv(9), ids("CKV_K8S_19")),
		pod: hostNamespace("hostNetwork")},
	{meta: meta("FERRY-K8S-007", high, "Host PID namespace shared",
		"hostPID lets the pod see and signal every process on the node.",
		"Remove hostPID: true.", ksv(10), ids("CKV_K8S_17")),
		pod: hostNamespace("hostPID")},
	{meta: meta("FERRY-K8S-008", high, "Host IPC namespace shared",
		"hostIPC lets the pod read shared memory of host processes.",
		"Remove hostIPC: true.", ksv(8), ids("CKV_K8S_18")),
		pod: hostNamespace("hostIPC")},
	{meta: meta("FERRY-K8S-009", medium, "hostPath volume",
		"hostPath volumes give the pod access to the node's filesystem and are a common escape route.",
		"Use a PersistentVolumeClaim, emptyDir, configMap or secret volume instead.", ksv(23), nil),
		pod: hostPathVolumes},
	{meta: meta("FERRY-K8S-010", low, "CPU request not set",
		"Without requests the scheduler cannot place pods sensibly and noisy neighbours starve others.",
		"Set resources.requests.cpu.", ksv(15), ids("CKV_K8S_10")),
		container: resource("requests", "cpu")},
	{meta: meta("FERRY-K8S-011", low, "CPU limit not set",
		"A container without a CPU limit can monopolise a node's CPU.",
		"Set resources.limits.cpu.", ksv(11), ids("CKV_K8S_11")),
		container: resource("limits", "cpu")},
	{meta: meta("FERRY-K8S-012", low, "Memory request not set",
		"Without a memory request the scheduler overcommits nodes and pods get evicted.",
		"Set resources.requests.memory.", ksv(16), ids("CKV_K8S_12")),
		container: resource("requests", "memory")},
	{meta: meta("FERRY-K8S-013", low, "Memory limit not set",
		"A container without a memory limit can exhaust the node's memory.",
		"Set resources.limits.memory.", ksv(18), ids("CKV_K8S_13")),
		container: resource("limits", "memory")},
	{meta: meta("FERRY-K8S-014", medium, "Image tag is latest or missing",
		"A mutable tag makes deployments unreproducible: the same manifest runs different code over time.",
		"Pin the image to a version tag or, better, a digest (image@sha256:…).", ksv(13), ids("CKV_K8S_14")),
		container: mutableImage},
	{meta: meta("FERRY-K8S-015", low, "Liveness probe not set",
		"Without a liveness probe a hung container is never restarted.",
		"Add a livenessProbe to every long-running container.", nil, ids("CKV_K8S_8")),
		container: probe("livenessProbe")},
	{meta: meta("FERRY-K8S-016", low, "Readiness probe not set",
		"Without a readiness probe traffic reaches containers before they can serve it.",
		"Add a readinessProbe to every long-running container.", nil, ids("CKV_K8S_9")),
		container: probe("readinessProbe")},
	{meta: meta("FERRY-K8S-017", low, "Seccomp profile not RuntimeDefault",
		"The runtime's default seccomp profile blocks dozens of dangerous syscalls at no cost.",
		"Set securityContext.seccompProfile.type: RuntimeDefault on the pod (or Localhost with a profile).", ksv(30, 104), ids("CKV_K8S_31")),
		container: seccomp},
	{meta: meta("FERRY-K8S-018", high, "Secret in an environment variable literal",
		"A credential written into the manifest is stored in Git and visible to anyone who can read the object.",
		"Move the value to a Secret and reference it with env[].valueFrom.secretKeyRef.", nil, nil),
		container: envSecret},
	{meta: meta("FERRY-K8S-019", low, "Workload in the default namespace",
		"The default namespace mixes unrelated workloads and usually has the broadest policies.",
		"Set metadata.namespace (or the kustomization's namespace) to the application's namespace.", ksv(110), ids("CKV_K8S_21")),
		object: defaultNamespace},
	{meta: meta("FERRY-K8S-020", low, "Service account token mounted automatically",
		"Most pods never call the Kubernetes API; a mounted token is free credentials for an attacker.",
		"Set automountServiceAccountToken: false in the pod spec unless the pod calls the API.", ksv(36), ids("CKV_K8S_38")),
		pod: tokenAutomount},
	{meta: meta("FERRY-K8S-021", high, "SYS_ADMIN capability added",
		"CAP_SYS_ADMIN is close to root on the node: mount, namespaces, BPF and more.",
		"Remove SYS_ADMIN (and ALL) from securityContext.capabilities.add.", ksv(5), ids("CKV_K8S_39")),
		container: sysAdmin},
	{meta: meta("FERRY-K8S-022", medium, "Host port used",
		"hostPort binds the node's port, bypasses network policies and limits scheduling.",
		"Remove ports[].hostPort and expose the pod through a Service.", ksv(24), ids("CKV_K8S_26")),
		container: hostPort},
	{meta: meta("FERRY-K8S-023", high, "Container runtime socket mounted",
		"Mounting docker.sock or containerd.sock gives full control of every container on the node.",
		"Remove the hostPath volume pointing at the runtime socket.", ksv(6), ids("CKV_K8S_27")),
		pod: runtimeSocket},
}

// Rules returns the metadata of every Kubernetes rule.
func Rules() []check.Rule {
	out := make([]check.Rule, len(all))
	for i, r := range all {
		out[i] = r.meta
	}
	return out
}
