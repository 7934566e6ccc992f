package platform

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"

	"gopkg.in/yaml.v3"
)

// MaxFileSize bounds ferry.yaml; larger documents are refused before parsing.
const MaxFileSize = 1 << 20

// MaxProblems bounds the problems reported for one file (in line order).
const MaxProblems = 100

// Load reads <dir>/ferry.yaml, applies defaults and validates it against the
// repository at dir. A missing or unreadable file is a *LoadError (errors.Is
// ErrNoConfig when missing); a file with problems is a *ConfigError listing
// all of them. Both report ConfigError() == true (exit 2 in the CLI).
func Load(dir string) (*Platform, error) {
	path := filepath.Join(dir, FileName)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &LoadError{Path: path, Err: fmt.Errorf("%w in %s", ErrNoConfig, dir)}
	}
	if err != nil {
		return nil, &LoadError{Path: path, Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, &LoadError{Path: path, Err: err}
	}
	return Parse(data, FileName, dir)
}

// Parse decodes a ferry.yaml document strictly, applies defaults and
// validates it. filename is used in problem locations. dir is the repository
// root that component paths and input files are checked against; with dir ""
// the filesystem checks are skipped (e.g. for a ferry.yaml read from a Git
// revision that is not checked out). Problems are returned together as a
// *ConfigError.
func Parse(data []byte, filename, dir string) (*Platform, error) {
	if len(data) > MaxFileSize {
		return nil, &ConfigError{Problems: []Problem{{File: filename,
			Msg: fmt.Sprintf("file is larger than the %d-byte limit", MaxFileSize)}}}
	}
	root, prob := parseNode(data, filename)
	if prob != nil {
		return nil, &ConfigError{Problems: []Problem{*prob}}
	}
	d := newDecoder(filename, root)
	p := &Platform{}
	d.decode(root, reflect.ValueOf(p).Elem(), "")
	if dir != "" {
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
	}
	p.Dir = dir
	applyDefaults(p, d.isSet)
	probs := append(d.probs, validate(p, d)...)
	sort.SliceStable(probs, func(i, j int) bool { return probs[i].Line < probs[j].Line })
	if len(probs) > MaxProblems {
		more := len(probs) - MaxProblems
		probs = append(probs[:MaxProblems:MaxProblems], Problem{File: filename,
			Msg: fmt.Sprintf("%d more problems not shown; fix the ones above first", more)})
	}
	if len(probs) > 0 {
		return nil, &ConfigError{Problems: probs}
	}
	return p, nil
}

// parseNode parses exactly one YAML document whose root is a mapping.
func parseNode(data []byte, filename string) (*yaml.Node, *Problem) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Problem{File: filename, Msg: "empty document; want apiVersion, kind, metadata and spec"}
		}
		return nil, syntaxProblem(filename, data, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, &Problem{File: filename, Line: extra.Line, Column: extra.Column,
			Msg: "more than one YAML document; ferry.yaml holds one"}
	case !errors.Is(err, io.EOF):
		return nil, syntaxProblem(filename, data, err)
	}
	if len(doc.Content) == 0 {
		return nil, &Problem{File: filename, Msg: "empty document; want apiVersion, kind, metadata and spec"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &Problem{File: filename, Line: root.Line, Column: root.Column,
			Msg: fmt.Sprintf("the document must be a mapping, got %s", kindName(root))}
	}
	return root, nil
}

var (
	yamlLineErr   = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	unknownAnchor = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
)

// parserProblems are yaml.v3's parser (not scanner) messages: for these it
// prints the 0-based line of the mark, so one is added.
var parserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found undefined tag handle":             true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

// syntaxProblem turns a yaml.v3 parse error into a located problem.
func syntaxProblem(filename string, data []byte, err error) *Problem {
	msg := err.Error()
	if m := yamlLineErr.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if parserProblems[m[2]] {
			line++
		}
		return &Problem{File: filename, Line: line, Msg: "invalid YAML: " + m[2]}
	}
	p := &Problem{File: filename, Msg: "invalid YAML: " + trimYAMLPrefix(msg)}
	if parserProblems[trimYAMLPrefix(msg)] {
		p.Line = 1 // yaml.v3 omits "line 0"
	}
	if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
		if i := bytes.Index(data, []byte("*"+m[1])); i >= 0 {
			p.Line = bytes.Count(data[:i], []byte("\n")) + 1
		}
	}
	return p
}

func trimYAMLPrefix(s string) string {
	if len(s) > 6 && s[:6] == "yaml: " {
		return s[6:]
	}
	return s
}

// isSet reports whether the file wrote a value at path (even null).
func (d *decoder) isSet(path string) bool {
	_, ok := d.locs[path]
	return ok
}

// reportedAt reports whether path or one of its ancestors already has a
// decode problem: its value is zero or partial, so checking it again would
// only echo that problem.
func (d *decoder) reportedAt(path string) bool {
	for {
		if d.reported[path] {
			return true
		}
		parent := parentPath(path)
		if parent == path {
			return false
		}
		path = parent
	}
}

// at returns the position of path, or of its nearest written ancestor.
func (d *decoder) at(path string) pos {
	for {
		if p, ok := d.locs[path]; ok {
			return p
		}
		cut := parentPath(path)
		if cut == path {
			return pos{}
		}
		path = cut
	}
}

// parentPath drops the last ".field", "[i]" or "[\"key\"]" of a path.
func parentPath(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if (path[i] == '.' || path[i] == '[') && !inQuotes(path[:i]) {
			return path[:i]
		}
	}
	return ""
}

// inQuotes reports whether position len(s) is inside a quoted map key.
func inQuotes(s string) bool {
	in := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && in:
			i++
		case s[i] == '"':
			in = !in
		}
	}
	return in
}
