package kubernetes

import (
	"gopkg.in/yaml.v3"

	"ferry.dev/ferry/internal/check/yamlscan"
)

// podSpecPaths maps a workload kind to where its pod spec lives.
var podSpecPaths = map[string]yamlscan.Path{
	"Pod":                   {"spec"},
	"Deployment":            {"spec", "template", "spec"},
	"StatefulSet":           {"spec", "template", "spec"},
	"DaemonSet":             {"spec", "template", "spec"},
	"ReplicaSet":            {"spec", "template", "spec"},
	"ReplicationController": {"spec", "template", "spec"},
	"Job":                   {"spec", "template", "spec"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template", "spec"},
	"PodTemplate":           {"template", "spec"},
}

// Container groups of a pod spec.
const (
	groupContainers = "containers"
	groupInit       = "initContainers"
	groupEphemeral  = "ephemeralContainers"
)

type workload struct {
	doc        *yamlscan.Document
	kind       string
	pod        *yaml.Node
	podPath    yamlscan.Path
	containers []container
}

type container struct {
	node  *yaml.Node
	path  yamlscan.Path
	name  string
	group string
	// sidecar is a native sidecar: an init container with restartPolicy Always.
	sidecar bool
}

// long-running reports whether the container runs for the life of the pod
// (regular containers and native sidecars), where probes and resources matter.
func (c container) longRunning() bool { return c.group == groupContainers || c.sidecar }

// batch reports whether the workload runs to completion (probes do not apply).
func (w *workload) batch() bool { return w.kind == "Job" || w.kind == "CronJob" }

func workloadOf(d *yamlscan.Document) *workload {
	kind := d.Kind()
	p, ok := podSpecPaths[kind]
	if !ok || d.APIVersion() == "" {
		return nil
	}
	pod, full := yamlscan.Lookup(d.Root, p)
	if !full || pod == nil || pod.Kind != yaml.MappingNode {
		return nil
	}
	w := &workload{doc: d, kind: kind, pod: pod, podPath: p}
	for _, group := range []string{groupContainers, groupInit, groupEphemeral} {
		for i, c := range yamlscan.Items(yamlscan.Get(pod, group)) {
			if c == nil || c.Kind != yaml.MappingNode {
				continue
			}
			w.containers = append(w.containers, container{
				node:    c,
				path:    p.Child(group).Child(i),
				name:    yamlscan.Str(yamlscan.Get(c, "name")),
				group:   group,
				sidecar: group == groupInit && yamlscan.Str(yamlscan.Get(c, "restartPolicy")) == "Always",
			})
		}
	}
	return w
}

// get walks keys from a node.
func get(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		n = yamlscan.Get(n, k)
		if n == nil {
			return nil
		}
	}
	return n
}

func isTrue(n *yaml.Node) bool {
	v, ok := yamlscan.Bool(n)
	return ok && v
}

func isFalse(n *yaml.Node) bool {
	v, ok := yamlscan.Bool(n)
	return ok && !v
}
