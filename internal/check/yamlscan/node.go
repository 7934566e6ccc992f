package yamlscan

import (
	"strconv"
	"time"

	"gopkg.in/yaml.v3"

	"ferry.dev/ferry/internal/check"
)

// Resolve follows an alias node to its anchor.
func Resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 8; i++ {
		n = n.Alias
	}
	return n
}

// Get returns the value of key in mapping n, or nil.
func Get(n *yaml.Node, key string) *yaml.Node {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return Resolve(n.Content[i+1])
		}
	}
	return nil
}

// KeyNode returns the key node of key in mapping n (for its line), or nil.
func KeyNode(n *yaml.Node, key string) *yaml.Node {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i]
		}
	}
	return nil
}

// Items returns the elements of a sequence node (nil otherwise).
func Items(n *yaml.Node) []*yaml.Node {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = Resolve(c)
	}
	return out
}

// Str returns a scalar's value, or "" for a missing or non-scalar node.
func Str(n *yaml.Node) string {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

// Bool reports a scalar's boolean value and whether it is a boolean.
func Bool(n *yaml.Node) (val, ok bool) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		return false, false
	}
	b, err := strconv.ParseBool(n.Value)
	if err != nil {
		var v bool
		if n.Decode(&v) != nil {
			return false, false
		}
		return v, true
	}
	return b, true
}

// Path is a location inside a document: mapping keys and sequence indexes.
type Path []any

// Child returns p extended by one key or index without aliasing p.
func (p Path) Child(k any) Path {
	out := make(Path, len(p)+1)
	copy(out, p)
	out[len(p)] = k
	return out
}

// Lookup returns the deepest node along p that exists, and whether all of p exists.
func Lookup(root *yaml.Node, p Path) (*yaml.Node, bool) {
	cur := Resolve(root)
	for _, step := range p {
		var next *yaml.Node
		switch s := step.(type) {
		case string:
			next = KeyNode(cur, s)
			if next != nil {
				// report the key line for a mapping entry, but keep
				// walking through its value
				val := Get(cur, s)
				if val == nil {
					return next, false
				}
				cur = val
				continue
			}
		case int:
			items := Items(cur)
			if s >= 0 && s < len(items) {
				next = items[s]
			}
		}
		if next == nil {
			return cur, false
		}
		cur = next
	}
	return cur, true
}

// At locates p in the document: in its Origin's source file when it has
// one (rendered objects), else in the document itself. A path that does not
// exist resolves to its deepest existing ancestor.
func (d *Document) At(p Path) check.Location {
	if d.Origin != nil {
		return d.Origin.At(p)
	}
	n := lineNode(d.Root, p)
	if n == nil {
		return check.Location{File: d.File, Line: d.Start}
	}
	return check.Location{File: d.File, Line: n.Line, Column: n.Column}
}

// lineNode walks p and returns the node a reader looks at: the key of a
// mapping entry or the element of a sequence; where p stops existing, the
// last one found.
func lineNode(root *yaml.Node, p Path) *yaml.Node {
	cur, at := Resolve(root), Resolve(root)
	for _, step := range p {
		switch s := step.(type) {
		case string:
			k := KeyNode(cur, s)
			if k == nil {
				return at
			}
			at, cur = k, Get(cur, s)
		case int:
			items := Items(cur)
			if s < 0 || s >= len(items) {
				return at
			}
			at, cur = items[s], items[s]
		default:
			return at
		}
		if cur == nil {
			return at
		}
	}
	return at
}

// Enclosing is the document's range, used for suppressions above it.
func (d *Document) Enclosing() *check.Location {
	if d.Origin != nil {
		return d.Origin.Enclosing()
	}
	return &check.Location{File: d.File, Line: d.Start, EndLine: d.End}
}

// Location is where findings about d are reported (its source file).
func (d *Document) Location() check.Location {
	if d.Origin != nil {
		return d.Origin.Location()
	}
	return check.Location{File: d.File, Line: d.Start}
}

// Kind, APIVersion, Name and Namespace read a Kubernetes object's identity.
func (d *Document) Kind() string       { return Str(Get(d.Root, "kind")) }
func (d *Document) APIVersion() string { return Str(Get(d.Root, "apiVersion")) }
func (d *Document) Name() string       { return Str(Get(Get(d.Root, "metadata"), "name")) }
func (d *Document) Namespace() string  { return Str(Get(Get(d.Root, "metadata"), "namespace")) }

// IsKubernetes reports whether the document looks like a Kubernetes object.
func (d *Document) IsKubernetes() bool { return d.Kind() != "" && d.APIVersion() != "" }

// Resource names the object as Kind/namespace/name (namespace omitted when empty).
func (d *Document) Resource() string {
	if d.Namespace() == "" {
		return d.Kind() + "/" + d.Name()
	}
	return d.Kind() + "/" + d.Namespace() + "/" + d.Name()
}

// Value decodes the document into plain Go values (maps, slices, scalars),
// for policies. yaml.v3 guards alias expansion here too.
func (d *Document) Value() (any, error) {
	var v any
	if err := d.Root.Decode(&v); err != nil {
		return nil, err
	}
	return normalize(v), nil
}

// normalize turns map[any]any (non-string keys) into map[string]any so the
// value is JSON-shaped.
func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = normalize(e)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[toKey(k)] = normalize(e)
		}
		return m
	case []any:
		for i, e := range t {
			t[i] = normalize(e)
		}
		return t
	case time.Time:
		return t.UTC().Format(time.RFC3339Nano)
	}
	return v
}

func toKey(k any) string {
	switch t := k.(type) {
	case string:
		return t
	case nil:
		return "null"
	}
	b, err := yaml.Marshal(k)
	if err != nil {
		return "?"
	}
	return string(trimNewlines(b))
}

func trimNewlines(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}
