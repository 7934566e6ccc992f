package tfscan

import (
	"regexp"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// `terraform fmt` does more than hclwrite.Format: it unwraps
// interpolation-only strings ("${var.x}" → var.x) and rewrites legacy
// variable types ("string" → string, list → list(any)). These patterns
// are cheap pre-filters; only files that may contain such an expression
// pay for the token-level rewrite.
var (
	maybeInterpOnly = regexp.MustCompile(`=\s*"\$\{`)
	maybeLegacyType = regexp.MustCompile(`(?m)^\s*type\s*=\s*("|list\s*$|map\s*$|set\s*$)`)
)

// canonical is src as `terraform fmt` would write it.
func canonical(path string, src []byte) []byte {
	if !maybeInterpOnly.Match(src) && !maybeLegacyType.Match(src) {
		return hclwrite.Format(src)
	}
	f, diags := hclwrite.ParseConfig(src, path, hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		return hclwrite.Format(src)
	}
	formatBody(f.Body(), nil)
	return hclwrite.Format(f.Bytes())
}

func formatBody(body *hclwrite.Body, inBlocks []string) {
	for name, attr := range body.Attributes() {
		if len(inBlocks) == 1 && inBlocks[0] == "variable" && name == "type" {
			cleaned := formatTypeExpr(attr.Expr().BuildTokens(nil))
			body.SetAttributeRaw(name, cleaned)
			continue
		}
		cleaned := formatValueExpr(attr.Expr().BuildTokens(nil))
		body.SetAttributeRaw(name, cleaned)
	}
	for _, block := range body.Blocks() {
		formatBody(block.Body(), append(inBlocks[:len(inBlocks):len(inBlocks)], block.Type()))
	}
}

// formatValueExpr unwraps "${ expr }" when it is the whole string.
func formatValueExpr(tokens hclwrite.Tokens) hclwrite.Tokens {
	if len(tokens) < 5 {
		return tokens
	}
	if tokens[0].Type != hclsyntax.TokenOQuote || tokens[1].Type != hclsyntax.TokenTemplateInterp ||
		tokens[len(tokens)-2].Type != hclsyntax.TokenTemplateSeqEnd || tokens[len(tokens)-1].Type != hclsyntax.TokenCQuote {
		return tokens
	}
	inside := tokens[2 : len(tokens)-2]
	quotes := 0
	for _, t := range inside {
		switch {
		case t.Type == hclsyntax.TokenOQuote:
			quotes++
		case t.Type == hclsyntax.TokenCQuote:
			quotes--
		case quotes > 0:
		case t.Type == hclsyntax.TokenTemplateInterp || t.Type == hclsyntax.TokenTemplateSeqEnd ||
			t.Type == hclsyntax.TokenQuotedLit:
			return tokens // "${a}${b}" or "x${a}": not unwrappable
		}
	}
	trimmed := trimNewlines(inside)
	multi, lead, trail := false, false, false
	for i, t := range trimmed {
		switch {
		case i == 0 && t.Type == hclsyntax.TokenOParen:
			lead = true
		case t.Type == hclsyntax.TokenNewline:
			multi = true
		case i == len(trimmed)-1 && t.Type == hclsyntax.TokenCParen:
			trail = true
		}
	}
	if multi && !(lead && trail) {
		wrapped := hclwrite.Tokens{{Type: hclsyntax.TokenOParen, Bytes: []byte("(")}}
		wrapped = append(wrapped, trimmed...)
		return append(wrapped, &hclwrite.Token{Type: hclsyntax.TokenCParen, Bytes: []byte(")")})
	}
	return trimmed
}

func trimNewlines(tokens hclwrite.Tokens) hclwrite.Tokens {
	start, end := 0, len(tokens)
	for start < end && tokens[start].Type == hclsyntax.TokenNewline {
		start++
	}
	for end > start && tokens[end-1].Type == hclsyntax.TokenNewline {
		end--
	}
	return tokens[start:end]
}

// formatTypeExpr rewrites legacy variable type constraints.
func formatTypeExpr(tokens hclwrite.Tokens) hclwrite.Tokens {
	ident := func(s string) *hclwrite.Token { return &hclwrite.Token{Type: hclsyntax.TokenIdent, Bytes: []byte(s)} }
	call := func(kw, elem string) hclwrite.Tokens {
		return hclwrite.Tokens{ident(kw), {Type: hclsyntax.TokenOParen, Bytes: []byte("(")}, ident(elem),
			{Type: hclsyntax.TokenCParen, Bytes: []byte(")")}}
	}
	switch len(tokens) {
	case 1:
		if kw := string(tokens[0].Bytes); tokens[0].Type == hclsyntax.TokenIdent && (kw == "list" || kw == "map" || kw == "set") {
			return call(kw, "any")
		}
	case 3:
		if tokens[0].Type != hclsyntax.TokenOQuote || tokens[1].Type != hclsyntax.TokenQuotedLit ||
			tokens[2].Type != hclsyntax.TokenCQuote {
			return tokens
		}
		switch s := string(tokens[1].Bytes); s {
		case "string":
			return hclwrite.Tokens{ident("string")}
		case "list", "map":
			return call(s, "string")
		}
	}
	return tokens
}
