package yamlscan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/platform"
)

// Guards against hostile input: a document deeper than MaxDepth or with
// more than MaxNodes nodes (counting alias expansions) is refused.
const (
	MaxDepth = 100
	MaxNodes = 200_000
)

// ErrTooComplex is returned for documents that break the guards.
var ErrTooComplex = errors.New("document too deep or too large")

// Document is one YAML document of a file.
type Document struct {
	File  string     // slash path relative to the scanned root
	Index int        // 0-based position in the file
	Root  *yaml.Node // the document's content node (usually a mapping)
	Start int        // first line of content
	End   int        // last line of content
	// Origin is, for an object rendered from an overlay, the source document
	// it came from; locations are reported there so suppressions apply.
	Origin *Document
	Env    string // environment a rendered document belongs to
	// Kustomized marks a raw document in a kustomize directory: fields a
	// kustomization sets (namespace, labels) may legitimately be missing.
	Kustomized bool
}

// Parse splits data into documents. Empty documents are skipped. A syntax
// error or a document breaking the guards ends the file with a finding.
func Parse(file string, data []byte) ([]*Document, []check.Finding) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*Document
	for i := 0; ; i++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return docs, []check.Finding{syntaxFinding(file, err)}
		}
		if len(n.Content) == 0 || isNull(n.Content[0]) {
			continue
		}
		root := n.Content[0]
		end, err := measure(root)
		if err != nil {
			f := check.Finding{RuleID: check.RuleYAMLSyntax, Severity: platform.SeverityHigh,
				Message:  fmt.Sprintf("document %d refused: %v (limits: depth %d, %d nodes)", i+1, err, MaxDepth, MaxNodes),
				Location: check.Location{File: file, Line: root.Line, Column: root.Column}}
			return docs, []check.Finding{f}
		}
		docs = append(docs, &Document{File: file, Index: i, Root: root, Start: root.Line, End: end})
	}
	return docs, nil
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

var lineInError = regexp.MustCompile(`line (\d+)`)

func syntaxFinding(file string, err error) check.Finding {
	line := 0
	if m := lineInError.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
	}
	return check.Finding{RuleID: check.RuleYAMLSyntax, Severity: platform.SeverityHigh,
		Message: "yaml syntax: " + err.Error(), Location: check.Location{File: file, Line: line}}
}

// measure walks the tree following aliases with a node budget, so an alias
// bomb or a deep document is refused before any rule walks it; it returns
// the last line seen.
func measure(root *yaml.Node) (int, error) {
	budget := MaxNodes
	last := root.Line
	var walk func(n *yaml.Node, depth int) error
	walk = func(n *yaml.Node, depth int) error {
		if depth > MaxDepth {
			return fmt.Errorf("nesting deeper than %d: %w", MaxDepth, ErrTooComplex)
		}
		budget--
		if budget < 0 {
			return fmt.Errorf("more than %d nodes (alias expansion?): %w", MaxNodes, ErrTooComplex)
		}
		if n.Line > last {
			last = n.Line
		}
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			return walk(n.Alias, depth+1)
		}
		for _, c := range n.Content {
			if err := walk(c, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return last, walk(root, 0)
}
