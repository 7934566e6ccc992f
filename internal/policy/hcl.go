package policy

import (
	"encoding/json"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// HCLToMap converts a Terraform file into the map conftest's HCL parser
// gives policies: blocks nest by type and labels and end in a list of
// bodies (resource.aws_s3_bucket.logs[0].acl); attributes hold their value
// when it is constant, else the expression text as "${…}".
func HCLToMap(filename string, src []byte) (map[string]any, error) {
	f, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, fmt.Errorf("convert %s: %w", filename, diags)
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return nil, fmt.Errorf("convert %s: not native HCL syntax", filename)
	}
	return bodyToMap(body, src, 0)
}

func bodyToMap(b *hclsyntax.Body, src []byte, depth int) (map[string]any, error) {
	if depth > maxInputDepth {
		return nil, fmt.Errorf("convert hcl: nested deeper than %d", maxInputDepth)
	}
	out := map[string]any{}
	for name, a := range b.Attributes {
		out[name] = exprValue(a.Expr, src)
	}
	for _, blk := range b.Blocks {
		inner, err := bodyToMap(blk.Body, src, depth+1)
		if err != nil {
			return nil, err
		}
		parent := out
		key := blk.Type
		for _, l := range blk.Labels {
			m, ok := parent[key].(map[string]any)
			if !ok {
				m = map[string]any{}
				parent[key] = m
			}
			parent, key = m, l
		}
		list, _ := parent[key].([]any)
		parent[key] = append(list, inner)
	}
	return out, nil
}

// exprValue evaluates constant expressions; anything referring to
// variables or functions stays as its source text.
func exprValue(e hclsyntax.Expression, src []byte) any {
	v, diags := e.Value(nil)
	if !diags.HasErrors() && v.IsWhollyKnown() {
		if js, err := ctyjson.Marshal(v, v.Type()); err == nil {
			var out any
			if json.Unmarshal(js, &out) == nil {
				return out
			}
		}
	}
	r := e.Range()
	if r.Start.Byte >= 0 && r.End.Byte <= len(src) && r.Start.Byte <= r.End.Byte {
		text := string(src[r.Start.Byte:r.End.Byte])
		if _, ok := e.(*hclsyntax.TemplateExpr); ok && len(text) >= 2 && text[0] == '"' && text[len(text)-1] == '"' {
			return text[1 : len(text)-1] // a template is its own interpolation
		}
		return "${" + text + "}"
	}
	return nil
}
