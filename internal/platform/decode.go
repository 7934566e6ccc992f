package platform

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// pos is where a value was written in the file.
type pos struct{ line, col int }

// decoder turns a yaml.v3 node tree into the model strictly: unknown fields,
// wrong types and duplicate keys are problems, and every decoded value's
// position is recorded by field path so validation can point at it.
type decoder struct {
	file  string
	locs  map[string]pos // field path → position of its value
	probs []Problem
	// reported holds the paths that already have a problem, so validation
	// does not pile a second one on a value that failed to decode.
	reported map[string]bool
	budget   int // node visits left; bounds alias expansion
	broke    bool
}

var (
	durationType = reflect.TypeOf(Duration{})
	laneType     = reflect.TypeOf(Lane{})
	secretType   = reflect.TypeOf(SecretRef{})
)

func newDecoder(file string, root *yaml.Node) *decoder {
	return &decoder{file: file, locs: map[string]pos{}, reported: map[string]bool{}, budget: 4*countNodes(root) + 10000}
}

// countNodes counts the nodes as written, not following aliases, so it is
// linear in the document's size.
func countNodes(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	c := 1
	for _, k := range n.Content {
		c += countNodes(k)
	}
	return c
}

func (d *decoder) addf(n *yaml.Node, path, format string, args ...any) {
	p := Problem{File: d.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		p.Line, p.Column = n.Line, n.Column
	}
	d.probs = append(d.probs, p)
	d.reported[path] = true
}

// decode decodes n into v (settable) at path.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	d.budget--
	if d.budget < 0 {
		if !d.broke {
			d.broke = true
			d.addf(n, path, "document expands to too many values (alias bomb?); write it out without so many aliases")
		}
		return
	}
	d.locs[path] = pos{n.Line, n.Column}
	n = d.resolve(n, path)
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return // null leaves the zero value: unset
	}
	switch v.Type() {
	case durationType:
		d.duration(n, v, path)
		return
	case secretType:
		if n.Kind == yaml.ScalarNode { // never echo it: it may be the secret itself
			d.addf(n, path, "secrets are never written into ferry.yaml; name where to read it: {env: VAR} or {file: /path/to/secret}")
			return
		}
	case laneType:
		if n.Kind == yaml.ScalarNode {
			d.locs[joinPath(path, "name")] = pos{n.Line, n.Column}
			d.scalar(n, v.FieldByName("Name"), path)
			return
		}
	}
	switch v.Kind() {
	case reflect.Struct:
		d.structure(n, v, path)
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Slice:
		d.sequence(n, v, path)
	case reflect.Map:
		d.mapping(n, v, path)
	default:
		d.scalar(n, v, path)
	}
}

// resolve follows aliases; it reports (and returns nil for) a dangling one.
func (d *decoder) resolve(n *yaml.Node, path string) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > 100 || n.Alias == nil {
			d.addf(n, path, "unresolvable alias")
			return nil
		}
		n = n.Alias
	}
	return n
}

// kindName names a node's kind for "expected X, got Y" messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		case "!!null":
			return "null"
		}
		return "a string"
	}
	return "a document"
}

func (d *decoder) scalar(n *yaml.Node, v reflect.Value, path string) {
	want := map[reflect.Kind]string{reflect.String: "a string", reflect.Bool: "a boolean", reflect.Int: "an integer",
		reflect.Float64: "a number"}[v.Kind()]
	if want == "" {
		d.addf(n, path, "cannot decode into %s", v.Type()) // a model type the decoder does not know
		return
	}
	if n.Kind != yaml.ScalarNode {
		d.addf(n, path, "expected %s, got %s", want, kindName(n))
		return
	}
	switch v.Kind() {
	case reflect.String:
		if n.Tag == "!!bool" {
			d.addf(n, path, "expected a string, got a boolean (quote it: %q)", n.Value)
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if n.Tag != "!!bool" || n.Decode(&b) != nil {
			d.addf(n, path, "expected a boolean (true or false), got %s %q", kindName(n), n.Value)
			return
		}
		v.SetBool(b)
	case reflect.Int:
		var i int
		if n.Tag != "!!int" || n.Decode(&i) != nil {
			d.addf(n, path, "expected an integer, got %s %q", kindName(n), n.Value)
			return
		}
		v.SetInt(int64(i))
	case reflect.Float64:
		var f float64
		if (n.Tag != "!!int" && n.Tag != "!!float") || n.Decode(&f) != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			d.addf(n, path, "expected a finite number, got %s %q", kindName(n), n.Value)
			return
		}
		v.SetFloat(f)
	}
}

func (d *decoder) duration(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!bool" {
		d.addf(n, path, "expected a duration such as \"5m\", got %s", kindName(n))
		return
	}
	dur, err := parseDuration(n.Value)
	if err != nil {
		d.addf(n, path, "%v", err)
		return
	}
	v.Set(reflect.ValueOf(dur))
}

func (d *decoder) sequence(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.addf(n, path, "expected a list, got %s", kindName(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	pairs, ok := d.pairs(n, path)
	if !ok {
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(pairs))
	for _, p := range pairs {
		ev := reflect.New(v.Type().Elem()).Elem()
		kp := joinPath(path, p.key.Value)
		d.decode(p.value, ev, kp)
		d.atKey(p, kp)
		m.SetMapIndex(reflect.ValueOf(p.key.Value).Convert(v.Type().Key()), ev)
	}
	v.Set(m)
}

func (d *decoder) structure(n *yaml.Node, v reflect.Value, path string) {
	pairs, ok := d.pairs(n, path)
	if !ok {
		return
	}
	fields := yamlFields(v.Type())
	for _, p := range pairs {
		idx, known := fields[p.key.Value]
		kp := joinPath(path, p.key.Value)
		if !known && v.Type() == secretType { // the key may be the secret pasted in
			d.addf(p.key, path, "unknown field (want env or file)")
			continue
		}
		if !known {
			d.addf(p.key, kp, "unknown field %q%s", p.key.Value, suggest(p.key.Value, fields))
			continue
		}
		d.decode(p.value, v.Field(idx), kp)
		d.atKey(p, kp)
	}
}

type pair struct{ key, value *yaml.Node }

// atKey locates an entry whose value is a mapping or list at its key, the
// line a reader looks for; a scalar value keeps its own position.
func (d *decoder) atKey(p pair, path string) {
	if v := d.resolve(p.value, path); v != nil && v.Kind != yaml.ScalarNode {
		d.locs[path] = pos{p.key.Line, p.key.Column}
	}
}

// pairs lists a mapping's key/value pairs, reporting duplicate and
// non-string keys, and applying "<<" merge keys (explicit keys win).
func (d *decoder) pairs(n *yaml.Node, path string) ([]pair, bool) {
	if n.Kind != yaml.MappingNode {
		d.addf(n, path, "expected a mapping, got %s", kindName(n))
		return nil, false
	}
	var out, merges []pair
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.addf(k, path, "mapping keys must be strings, got %s", kindName(k))
			continue
		}
		if k.Tag == "!!merge" {
			merges = append(merges, d.mergePairs(val, path, 0)...)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.addf(k, joinPath(path, k.Value), "duplicate key %q (first at line %d)", k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, pair{k, val})
	}
	for _, m := range merges {
		if _, ok := seen[m.key.Value]; !ok {
			seen[m.key.Value] = m.key
			out = append(out, m)
		}
	}
	return out, true
}

// mergePairs returns the pairs a "<<" value contributes: a mapping, or a
// list of mappings where earlier ones win.
func (d *decoder) mergePairs(n *yaml.Node, path string, depth int) []pair {
	d.budget--
	if n = d.resolve(n, path); n == nil || depth > 10 || d.budget < 0 {
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		ps, _ := d.pairs(n, path)
		return ps
	case yaml.SequenceNode:
		var out []pair
		for _, item := range n.Content {
			out = append(out, d.mergePairs(item, path, depth+1)...)
		}
		return out
	}
	d.addf(n, path, "merge key << needs a mapping or a list of mappings, got %s", kindName(n))
	return nil
}

// yamlFields maps YAML field names to struct field indexes.
func yamlFields(t reflect.Type) map[string]int {
	out := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = i
	}
	return out
}

// suggest names the known field closest to an unknown one, or lists them.
func suggest(name string, fields map[string]int) string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		dist := editDistance(strings.ToLower(k), strings.ToLower(name))
		if dist <= 1 || (dist == 2 && len(name) >= 5) {
			return fmt.Sprintf(" (did you mean %q?)", k)
		}
	}
	return " (known: " + strings.Join(names, ", ") + ")"
}

// editDistance is the Levenshtein distance, for short field names.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30
	}
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

var plainKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// joinPath appends a field or map key to a path; odd keys are quoted.
func joinPath(path, key string) string {
	if !plainKey.MatchString(key) {
		return fmt.Sprintf("%s[%q]", path, key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}
