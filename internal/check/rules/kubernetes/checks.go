package kubernetes

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/yamlscan"
)

// hit is one rule match: where and what.
type hit struct {
	path yamlscan.Path
	msg  string
}

// docView is the object-level view for rules that apply to any kind.
type docView struct{ d *yamlscan.Document }

// Check runs every Kubernetes rule on one document. Non-Kubernetes
// documents yield nothing.
func Check(d *yamlscan.Document) []check.Finding {
	if d == nil || !d.IsKubernetes() {
		return nil
	}
	w := workloadOf(d)
	var out []check.Finding
	for _, r := range all {
		var hits []hit
		switch {
		case r.object != nil:
			hits = r.object(&docView{d})
		case w == nil:
			continue
		case r.pod != nil:
			hits = r.pod(w)
		case r.container != nil:
			for _, c := range w.containers {
				hits = append(hits, r.container(w, c)...)
			}
		}
		for _, h := range hits {
			out = append(out, check.Finding{
				RuleID: r.meta.ID, Severity: r.meta.Severity,
				Message:  fmt.Sprintf("%s: %s", d.Resource(), h.msg),
				Location: d.At(h.path), Enclosing: d.Enclosing(),
				Resource: d.Resource(), Env: d.Env,
			})
		}
	}
	return out
}

func (c container) label() string {
	kind := map[string]string{groupContainers: "container", groupInit: "init container", groupEphemeral: "ephemeral container"}[c.group]
	return fmt.Sprintf("%s %q", kind, c.name)
}

func (c container) sc() yamlscan.Path { return c.path.Child("securityContext") }

func privileged(_ *workload, c container) []hit {
	if isTrue(get(c.node, "securityContext", "privileged")) {
		return []hit{{c.sc().Child("privileged"), c.label() + " is privileged"}}
	}
	return nil
}

func privilegeEscalation(_ *workload, c container) []hit {
	if isFalse(get(c.node, "securityContext", "allowPrivilegeEscalation")) {
		return nil
	}
	return []hit{{c.sc().Child("allowPrivilegeEscalation"), c.label() + " does not set allowPrivilegeEscalation: false"}}
}

// runAsRoot: the container's own settings win over the pod's.
func runAsRoot(w *workload, c container) []hit {
	if nonRoot(get(c.node, "securityContext")) {
		return nil
	}
	csc := get(c.node, "securityContext")
	if isFalse(get(csc, "runAsNonRoot")) || yamlscan.Str(get(csc, "runAsUser")) == "0" {
		return []hit{{c.sc().Child("runAsNonRoot"), c.label() + " runs as root"}}
	}
	if nonRoot(get(w.pod, "securityContext")) {
		return nil
	}
	return []hit{{c.sc().Child("runAsNonRoot"), c.label() + " does not set runAsNonRoot: true or a non-zero runAsUser"}}
}

// nonRoot reports whether a securityContext declares a non-root user.
func nonRoot(sc *yaml.Node) bool {
	if isTrue(yamlscan.Get(sc, "runAsNonRoot")) {
		return true
	}
	u := yamlscan.Str(yamlscan.Get(sc, "runAsUser"))
	return u != "" && u != "0" && !isFalse(yamlscan.Get(sc, "runAsNonRoot"))
}

func writableRoot(_ *workload, c container) []hit {
	if isTrue(get(c.node, "securityContext", "readOnlyRootFilesystem")) {
		return nil
	}
	return []hit{{c.sc().Child("readOnlyRootFilesystem"), c.label() + " does not set readOnlyRootFilesystem: true"}}
}

func capsNotDropped(_ *workload, c container) []hit {
	for _, d := range yamlscan.Items(get(c.node, "securityContext", "capabilities", "drop")) {
		if strings.EqualFold(yamlscan.Str(d), "ALL") {
			return nil
		}
	}
	return []hit{{c.sc().Child("capabilities").Child("drop"), c.label() + " does not drop ALL capabilities"}}
}

func sysAdmin(_ *workload, c container) []hit {
	path := c.sc().Child("capabilities").Child("add")
	for i, a := range yamlscan.Items(get(c.node, "securityContext", "capabilities", "add")) {
		v := strings.ToUpper(strings.TrimPrefix(strings.ToUpper(yamlscan.Str(a)), "CAP_"))
		if v == "SYS_ADMIN" || v == "ALL" {
			return []hit{{path.Child(i), c.label() + " adds capability " + v}}
		}
	}
	return nil
}

func hostNamespace(field string) func(*workload) []hit {
	return func(w *workload) []hit {
		if isTrue(yamlscan.Get(w.pod, field)) {
			return []hit{{w.podPath.Child(field), "pod sets " + field + ": true"}}
		}
		return nil
	}
}

func hostPathVolumes(w *workload) []hit {
	var out []hit
	for i, v := range yamlscan.Items(yamlscan.Get(w.pod, "volumes")) {
		if yamlscan.Get(v, "hostPath") != nil {
			out = append(out, hit{w.podPath.Child("volumes").Child(i).Child("hostPath"),
				fmt.Sprintf("volume %q mounts hostPath %s", yamlscan.Str(yamlscan.Get(v, "name")), yamlscan.Str(get(v, "hostPath", "path")))})
		}
	}
	return out
}

var runtimeSockets = []string{"docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock"}

func runtimeSocket(w *workload) []hit {
	var out []hit
	for i, v := range yamlscan.Items(yamlscan.Get(w.pod, "volumes")) {
		p := yamlscan.Str(get(v, "hostPath", "path"))
		for _, s := range runtimeSockets {
			if strings.HasSuffix(strings.TrimRight(p, "/"), s) {
				out = append(out, hit{w.podPath.Child("volumes").Child(i).Child("hostPath"), "volume mounts the container runtime socket " + p})
				break
			}
		}
	}
	return out
}

func resource(section, name string) func(*workload, container) []hit {
	return func(_ *workload, c container) []hit {
		if !c.longRunning() && c.group != groupInit {
			return nil // ephemeral containers cannot set resources
		}
		if yamlscan.Str(get(c.node, "resources", section, name)) != "" {
			return nil
		}
		return []hit{{c.path.Child("resources").Child(section), fmt.Sprintf("%s has no resources.%s.%s", c.label(), section, name)}}
	}
}

func probe(field string) func(*workload, container) []hit {
	return func(w *workload, c container) []hit {
		if w.batch() || !c.longRunning() {
			return nil
		}
		if get(c.node, field) != nil {
			return nil
		}
		return []hit{{c.path.Child(field), fmt.Sprintf("%s has no %s", c.label(), field)}}
	}
}

func mutableImage(_ *workload, c container) []hit {
	img := yamlscan.Str(get(c.node, "image"))
	if img == "" || strings.Contains(img, "@") {
		return nil // no image (schema's job) or pinned by digest
	}
	tag := imageTag(img)
	switch {
	case tag == "":
		return []hit{{c.path.Child("image"), fmt.Sprintf("%s image %q has no tag", c.label(), img)}}
	case tag == "latest":
		return []hit{{c.path.Child("image"), fmt.Sprintf("%s image %q uses the latest tag", c.label(), img)}}
	}
	return nil
}

// imageTag returns the tag of an image reference: the part after the last
// ':' that follows the last '/', so registry ports are not tags.
func imageTag(img string) string {
	last := img[strings.LastIndex(img, "/")+1:]
	if i := strings.LastIndex(last, ":"); i >= 0 {
		return last[i+1:]
	}
	return ""
}

func seccomp(w *workload, c container) []hit {
	if t := yamlscan.Str(get(c.node, "securityContext", "seccompProfile", "type")); t != "" {
		if t == "RuntimeDefault" || t == "Localhost" {
			return nil
		}
		return []hit{{c.sc().Child("seccompProfile").Child("type"), fmt.Sprintf("%s sets seccompProfile %s", c.label(), t)}}
	}
	switch yamlscan.Str(get(w.pod, "securityContext", "seccompProfile", "type")) {
	case "RuntimeDefault", "Localhost":
		return nil
	}
	if legacySeccomp(w, c) {
		return nil
	}
	return []hit{{c.sc().Child("seccompProfile"), c.label() + " has no RuntimeDefault seccomp profile (pod or container)"}}
}

// legacySeccomp accepts the pre-1.19 annotations still found in manifests
// (the kubelet maps them onto the field).
func legacySeccomp(w *workload, c container) bool {
	meta := w.podPath[:len(w.podPath)-1].Child("metadata")
	ann, _ := yamlscan.Lookup(w.doc.Root, meta.Child("annotations"))
	for _, key := range []string{"seccomp.security.alpha.kubernetes.io/pod", "container.seccomp.security.alpha.kubernetes.io/" + c.name} {
		switch yamlscan.Str(yamlscan.Get(ann, key)) {
		case "runtime/default", "docker/default":
			return true
		}
	}
	return false
}

var (
	secretName  = regexp.MustCompile(`(?i)(passw(or)?d|passwd|secret|token|api_?key|private_?key|access_?key|credential|auth_?key|client_?secret)`)
	notASecret  = regexp.MustCompile(`(?i)(_(file|path|dir|url|uri|endpoint|ttl|timeout|expiry|expiration|length|name|user|username|id|header|enabled|type)$)`)
	placeholder = regexp.MustCompile(`^(\$\(.*\)|\$\{.*\}|\{\{.*\}\}|<.*>|changeme|true|false|yes|no|none|null|[0-9.]+[smhd]?)$`)
)

func envSecret(_ *workload, c container) []hit {
	var out []hit
	for i, e := range yamlscan.Items(get(c.node, "env")) {
		name := yamlscan.Str(yamlscan.Get(e, "name"))
		val := yamlscan.Str(yamlscan.Get(e, "value"))
		if val == "" || !secretName.MatchString(name) || notASecret.MatchString(name) || placeholder.MatchString(strings.ToLower(val)) {
			continue
		}
		out = append(out, hit{c.path.Child("env").Child(i).Child("value"),
			fmt.Sprintf("%s sets %s to a literal value (%d characters, not shown)", c.label(), name, len(val))})
	}
	return out
}

func hostPort(_ *workload, c container) []hit {
	var out []hit
	for i, p := range yamlscan.Items(get(c.node, "ports")) {
		if v := yamlscan.Str(yamlscan.Get(p, "hostPort")); v != "" && v != "0" {
			out = append(out, hit{c.path.Child("ports").Child(i).Child("hostPort"), fmt.Sprintf("%s binds hostPort %s", c.label(), v)})
		}
	}
	return out
}

func defaultNamespace(v *docView) []hit {
	if _, workload := podSpecPaths[v.d.Kind()]; !workload || v.d.Kind() == "PodTemplate" {
		return nil
	}
	switch ns := v.d.Namespace(); {
	case ns == "default":
		return []hit{{yamlscan.Path{"metadata", "namespace"}, "workload is in the default namespace"}}
	case ns == "" && !v.d.Kustomized:
		return []hit{{yamlscan.Path{"metadata", "namespace"}, "workload sets no namespace, so it lands in the default namespace"}}
	}
	return nil
}

func tokenAutomount(w *workload) []hit {
	if isFalse(yamlscan.Get(w.pod, "automountServiceAccountToken")) {
		return nil
	}
	return []hit{{w.podPath.Child("automountServiceAccountToken"), "pod does not set automountServiceAccountToken: false"}}
}
