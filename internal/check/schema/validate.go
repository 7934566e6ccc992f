package schema

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/yamlscan"
	"ferry.dev/ferry/internal/platform"
)

// maxFindingsPerDoc bounds the report for one broken document.
const maxFindingsPerDoc = 50

// Validator checks documents against built-in schemas and the CRDs added
// to it. Add every CRD before validating; Validate is then safe for
// concurrent use.
type Validator struct {
	b    *builtin
	crds map[schema.GroupVersionKind]*Node
}

// New returns a validator with the built-in schemas.
func New() *Validator {
	return &Validator{b: loadBuiltin(), crds: map[schema.GroupVersionKind]*Node{}}
}

// walker collects findings for one document.
type walker struct {
	d   *yamlscan.Document
	out []check.Finding
}

func (w *walker) report(id string, path yamlscan.Path, format string, args ...any) {
	if len(w.out) >= maxFindingsPerDoc {
		return
	}
	w.out = append(w.out, check.Finding{RuleID: id, Severity: platform.SeverityHigh,
		Message:  fmt.Sprintf("%s: %s: %s", w.d.Resource(), pathString(path), fmt.Sprintf(format, args...)),
		Location: w.d.At(path), Enclosing: w.d.Enclosing(), Resource: w.d.Resource(), Env: w.d.Env})
}

// Validate checks one document. Documents that are not Kubernetes objects
// (no apiVersion and kind) and custom resources without a CRD are skipped.
func (v *Validator) Validate(d *yamlscan.Document) []check.Finding {
	if d == nil || d.Root == nil || d.Root.Kind != yaml.MappingNode {
		return nil
	}
	apiVersion, kind := d.APIVersion(), d.Kind()
	if apiVersion == "" || kind == "" {
		return nil
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return nil
	}
	gvk := gv.WithKind(kind)
	w := &walker{d: d}
	switch {
	case v.crds[gvk] != nil:
		w.crd(d.Root, v.crds[gvk], nil, true)
	case removed[gv.String()] || removed[gv.String()+"/"+kind]:
		w.report(RuleUnknownKind, yamlscan.Path{"apiVersion"}, "%s %s was removed from Kubernetes; use the current apiVersion", apiVersion, kind)
	case v.b.types[gvk] != nil:
		w.object(d.Root, v.b.types[gvk], nil)
		if yamlscan.Get(d.Root, "metadata") == nil {
			w.report(RuleRequired, yamlscan.Path{}, "missing required field metadata")
		}
	case v.b.groups[gv.Group] && !v.hasCRDGroup(gv.Group):
		w.report(RuleUnknownKind, yamlscan.Path{"apiVersion"}, "%s %s is not served by Kubernetes 1.37", apiVersion, kind)
	}
	return w.out
}

func (v *Validator) hasCRDGroup(group string) bool {
	for gvk := range v.crds {
		if gvk.Group == group {
			return true
		}
	}
	return false
}

// object checks a mapping against a struct type.
func (w *walker) object(n *yaml.Node, t reflect.Type, path yamlscan.Path) {
	fields := fieldsOf(t)
	inStatus := len(path) > 0 && path[0] == "status"
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i].Value
		seen[key] = true
		f, ok := fields[key]
		if !ok {
			w.report(RuleUnknownField, path.Child(key), "unknown field %q%s", key, suggest(key, fields))
			continue
		}
		w.value(n.Content[i+1], f.typ, path.Child(key))
	}
	if inStatus {
		return
	}
	for name, f := range fields {
		if f.required && !seen[name] && !optional[t.Name()+"."+name] {
			w.report(RuleRequired, path, "missing required field %q", name)
		}
	}
}

// removed are API versions (or version/kind pairs) that client-go still
// registers but no supported Kubernetes release serves any more.
var removed = map[string]bool{
	"extensions/v1beta1": true, "apps/v1beta1": true, "apps/v1beta2": true, "policy/v1beta1": true,
	"batch/v1beta1": true, "autoscaling/v2beta1": true, "autoscaling/v2beta2": true,
	"networking.k8s.io/v1beta1/Ingress": true, "networking.k8s.io/v1beta1/IngressClass": true,
	"rbac.authorization.k8s.io/v1beta1": true, "rbac.authorization.k8s.io/v1alpha1": true,
	"scheduling.k8s.io/v1beta1/PriorityClass": true, "scheduling.k8s.io/v1alpha1/PriorityClass": true,
	"discovery.k8s.io/v1beta1": true, "events.k8s.io/v1beta1": true,
	"certificates.k8s.io/v1beta1/CertificateSigningRequest": true,
	"storage.k8s.io/v1beta1/StorageClass":                   true, "storage.k8s.io/v1beta1/CSIDriver": true,
	"storage.k8s.io/v1beta1/CSINode": true, "storage.k8s.io/v1beta1/CSIStorageCapacity": true,
	"admissionregistration.k8s.io/v1beta1/ValidatingWebhookConfiguration": true,
	"admissionregistration.k8s.io/v1beta1/MutatingWebhookConfiguration":   true,
	"coordination.k8s.io/v1beta1/Lease":                                   true, "node.k8s.io/v1beta1": true,
	"flowcontrol.apiserver.k8s.io/v1beta1": true, "flowcontrol.apiserver.k8s.io/v1beta2": true,
	"flowcontrol.apiserver.k8s.io/v1beta3": true,
}

// optional lists fields without omitempty that the API nevertheless treats
// as optional (marked +optional in k8s.io/api).
var optional = map[string]bool{
	"ObjectMeta.creationTimestamp": true, "TypeMeta.apiVersion": true, "TypeMeta.kind": true,
	"PodTemplateSpec.metadata": true, "ResourceClaim.request": true, "EnvVar.value": true,
	"Role.rules": true, "ClusterRole.rules": true, "NetworkPolicySpec.podSelector": true,
	"StatefulSetSpec.serviceName": true, "TypedLocalObjectReference.apiGroup": true,
	"TypedObjectReference.apiGroup": true, "GRPCAction.service": true,
	"AzureFilePersistentVolumeSource.secretNamespace": true, "ProjectedVolumeSource.sources": true,
}

func (w *walker) value(n *yaml.Node, t reflect.Type, path yamlscan.Path) {
	n = yamlscan.Resolve(n)
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return
	}
	sh, t := shapeOf(t)
	switch sh {
	case shapeAny:
	case shapeObject:
		if w.expect(n, yaml.MappingNode, "an object", path) {
			w.object(n, t, path)
		}
	case shapeMap:
		if w.expect(n, yaml.MappingNode, "a map", path) {
			for i := 0; i+1 < len(n.Content); i += 2 {
				w.value(n.Content[i+1], t.Elem(), path.Child(n.Content[i].Value))
			}
		}
	case shapeList:
		if w.expect(n, yaml.SequenceNode, "a list", path) {
			for i, c := range n.Content {
				w.value(c, t.Elem(), path.Child(i))
			}
		}
	default:
		w.scalar(n, sh, path)
	}
}

func (w *walker) expect(n *yaml.Node, kind yaml.Kind, what string, path yamlscan.Path) bool {
	if n.Kind == kind {
		return true
	}
	w.report(RuleWrongType, path, "expected %s, got %s", what, describe(n))
	return false
}

func (w *walker) scalar(n *yaml.Node, sh shape, path yamlscan.Path) {
	if n.Kind != yaml.ScalarNode {
		w.report(RuleWrongType, path, "expected %s, got %s", shapeName[sh], describe(n))
		return
	}
	ok := false
	switch sh {
	case shapeString, shapeBytes:
		ok = n.Tag == "!!str" || n.Tag == "!!timestamp" || n.Tag == "!!binary"
	case shapeInt:
		ok = n.Tag == "!!int"
	case shapeFloat:
		ok = n.Tag == "!!int" || n.Tag == "!!float"
	case shapeBool:
		ok = n.Tag == "!!bool"
	case shapeIntOrString:
		ok = n.Tag == "!!int" || n.Tag == "!!str"
	case shapeQuantity:
		ok = n.Tag == "!!int" || n.Tag == "!!float" || n.Tag == "!!str"
	}
	if !ok {
		w.report(RuleWrongType, path, "expected %s, got %s", shapeName[sh], describe(n))
	}
}

var shapeName = map[shape]string{
	shapeString: "a string", shapeBytes: "a base64 string", shapeInt: "an integer", shapeFloat: "a number",
	shapeBool: "a boolean", shapeIntOrString: "an integer or string", shapeQuantity: "a quantity",
}

// describe names a node's type, never its value: a wrongly typed value
// may be a secret (a Secret's data, a credential in a custom resource).
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "an object"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!int":
		return "an integer"
	case "!!float":
		return "a number"
	case "!!bool":
		return "a boolean"
	case "!!str":
		return "a string"
	}
	return "a " + strings.TrimPrefix(n.Tag, "!!") + " value"
}

func pathString(p yamlscan.Path) string {
	if len(p) == 0 {
		return "(root)"
	}
	var b strings.Builder
	for i, s := range p {
		switch v := s.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", v)
		case string:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(v)
		}
	}
	return b.String()
}

// suggest names a known field that differs only in case, the usual typo.
func suggest(key string, fields map[string]field) string {
	for name := range fields {
		if strings.EqualFold(name, key) {
			return fmt.Sprintf(" (did you mean %q?)", name)
		}
	}
	return ""
}
