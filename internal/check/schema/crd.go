package schema

import (
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"ferry.dev/ferry/internal/check/yamlscan"
)

// Node is the subset of an OpenAPI v3 schema that structural CRD schemas use.
type Node struct {
	Type                 string           `yaml:"type"`
	Properties           map[string]*Node `yaml:"properties"`
	Required             []string         `yaml:"required"`
	Items                *Node            `yaml:"items"`
	AdditionalProperties yaml.Node        `yaml:"additionalProperties"`
	PreserveUnknown      bool             `yaml:"x-kubernetes-preserve-unknown-fields"`
	IntOrString          bool             `yaml:"x-kubernetes-int-or-string"`
	EmbeddedResource     bool             `yaml:"x-kubernetes-embedded-resource"`
	Enum                 []any            `yaml:"enum"`
	additional           *Node
	additionalAllowed    bool
}

// AddCRD registers the schemas of a CustomResourceDefinition document; other
// documents are ignored. It returns an error for a CRD whose schema does not
// decode.
func (v *Validator) AddCRD(d *yamlscan.Document) error {
	if d == nil || d.Kind() != "CustomResourceDefinition" || d.APIVersion() != "apiextensions.k8s.io/v1" {
		return nil
	}
	spec := yamlscan.Get(d.Root, "spec")
	group := yamlscan.Str(yamlscan.Get(spec, "group"))
	kind := yamlscan.Str(yamlscan.Get(yamlscan.Get(spec, "names"), "kind"))
	for _, ver := range yamlscan.Items(yamlscan.Get(spec, "versions")) {
		raw := yamlscan.Get(yamlscan.Get(ver, "schema"), "openAPIV3Schema")
		if raw == nil {
			continue
		}
		var n Node
		if err := raw.Decode(&n); err != nil {
			return fmt.Errorf("add crd %s: decode openAPIV3Schema: %w", d.Name(), err)
		}
		n.prepare(0)
		gvk := schema.GroupVersionKind{Group: group, Version: yamlscan.Str(yamlscan.Get(ver, "name")), Kind: kind}
		v.crds[gvk] = &n
	}
	return nil
}

// prepare decodes additionalProperties (a bool or a schema) once.
func (n *Node) prepare(depth int) {
	if n == nil || depth > 64 {
		return
	}
	if a := &n.AdditionalProperties; a.Kind != 0 {
		if a.Kind == yaml.ScalarNode {
			n.additionalAllowed = a.Value == "true"
		} else {
			var s Node
			if a.Decode(&s) == nil {
				n.additional, n.additionalAllowed = &s, true
			}
		}
	}
	for _, p := range n.Properties {
		p.prepare(depth + 1)
	}
	n.Items.prepare(depth + 1)
	n.additional.prepare(depth + 1)
}

// crd validates n against s; top says n is the object's root, where
// apiVersion, kind and metadata are always allowed.
func (w *walker) crd(n *yaml.Node, s *Node, path yamlscan.Path, top bool) {
	n = yamlscan.Resolve(n)
	if n == nil || s == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return
	}
	if s.IntOrString {
		w.scalar(n, shapeIntOrString, path)
		return
	}
	switch s.Type {
	case "object":
		w.crdObject(n, s, path, top)
	case "array":
		if w.expect(n, yaml.SequenceNode, "a list", path) {
			for i, c := range n.Content {
				w.crd(c, s.Items, path.Child(i), false)
			}
		}
	case "string":
		w.scalar(n, shapeString, path)
	case "integer":
		w.scalar(n, shapeInt, path)
	case "number":
		w.scalar(n, shapeFloat, path)
	case "boolean":
		w.scalar(n, shapeBool, path)
	}
	if len(s.Enum) > 0 && n.Kind == yaml.ScalarNode {
		var val any
		if n.Decode(&val) == nil && !slices.ContainsFunc(s.Enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(val) }) {
			w.report(RuleWrongType, path, "value is not one of %v", s.Enum)
		}
	}
}

func (w *walker) crdObject(n *yaml.Node, s *Node, path yamlscan.Path, top bool) {
	if !w.expect(n, yaml.MappingNode, "an object", path) {
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i].Value
		seen[key] = true
		switch p := s.Properties[key]; {
		case p != nil:
			w.crd(n.Content[i+1], p, path.Child(key), false)
		case top && (key == "apiVersion" || key == "kind" || key == "metadata"):
		case s.additional != nil:
			w.crd(n.Content[i+1], s.additional, path.Child(key), false)
		case s.PreserveUnknown || s.additionalAllowed || s.EmbeddedResource:
		default:
			w.report(RuleUnknownField, path.Child(key), "unknown field %q", key)
		}
	}
	for _, r := range s.Required {
		if !seen[r] {
			w.report(RuleRequired, path, "missing required field %q", r)
		}
	}
}
