package tfscan

import (
	"bytes"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
	"ferry.dev/ferry/internal/platform"
)

// Limits that keep hostile input from exhausting the stack or memory. The
// pipeline filters big files first; these guard direct callers.
const (
	maxFileSize = 10 << 20
	maxNesting  = 128
)

var (
	ruleSyntax = check.Rule{
		ID: "FERRY-TF-001", Domain: "syntax", Severity: platform.SeverityHigh,
		Title:       "Terraform file is not valid HCL",
		Rationale:   "Terraform refuses to plan a configuration with a syntax error, and nothing in the file can be checked.",
		Remediation: "Fix the error at the reported line and column; `terraform validate` shows the same error.",
	}
	ruleFormat = check.Rule{
		ID: "FERRY-TF-002", Domain: "syntax", Severity: platform.SeverityLow,
		Title:       "Terraform file is not formatted canonically",
		Rationale:   "Canonical formatting keeps diffs small and reviews about content; `terraform fmt -check` fails on such files in most pipelines.",
		Remediation: "Run `terraform fmt` on the file.",
	}
	ruleNotScanned = check.Rule{
		ID: "FERRY-TF-003", Domain: "syntax", Severity: platform.SeverityLow,
		Title:       "Terraform content not scanned",
		Rationale:   "A remote module, a module outside the repository, a module cycle or an oversized file cannot be checked; its resources are not covered by the rules.",
		Remediation: "Vendor the module into the repository, or check it where it is maintained.",
	}
)

// parsedFile is one .tf file that parsed without errors.
type parsedFile struct {
	path string // slash-separated, relative to the root
	body *hclsyntax.Body
}

// parseFile parses src and returns the syntax and format findings. body is
// nil when the file has errors and must not be evaluated.
func parseFile(path string, src []byte) (*hclsyntax.Body, []check.Finding) {
	if len(src) > maxFileSize {
		return nil, []check.Finding{fileFinding(ruleNotScanned, path, hcl.Pos{Line: 1, Column: 1},
			fmt.Sprintf("file is larger than %d MB and was not scanned", maxFileSize>>20))}
	}
	if pos, deep := tooDeep(path, src); deep {
		return nil, []check.Finding{fileFinding(ruleSyntax, path, pos,
			fmt.Sprintf("nesting deeper than %d levels", maxNesting))}
	}
	f, diags := hclsyntax.ParseConfig(src, path, hcl.Pos{Line: 1, Column: 1, Byte: 0})
	if diags.HasErrors() {
		var out []check.Finding
		for _, d := range diags {
			if d.Severity != hcl.DiagError {
				continue
			}
			pos := hcl.Pos{Line: 1, Column: 1}
			if d.Subject != nil {
				pos = d.Subject.Start
			}
			msg := d.Summary
			if d.Detail != "" {
				msg += ": " + d.Detail
			}
			out = append(out, fileFinding(ruleSyntax, path, pos, msg))
		}
		return nil, out
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return nil, nil
	}
	guardForExprs(body)
	var out []check.Finding
	if formatted := canonical(path, src); !bytes.Equal(formatted, src) {
		out = append(out, fileFinding(ruleFormat, path, firstDiff(src, formatted),
			"terraform fmt would rewrite this file"))
	}
	return body, out
}

// tooDeep lexes src (the lexer does not recurse) and reports the first
// position where brackets nest deeper than maxNesting. Lexing is skipped
// when a cheap bound proves the file shallow: every nesting token but a
// quote or heredoc starts with one of [ ( {, and a string can only nest
// inside one of those, so depth <= 2*count([ ( {)+1.
func tooDeep(path string, src []byte) (hcl.Pos, bool) {
	openers := 0
	for _, c := range src {
		if c == '[' || c == '(' || c == '{' {
			openers++
		}
	}
	if 2*openers+1 <= maxNesting {
		return hcl.Pos{}, false
	}
	toks, _ := hclsyntax.LexConfig(src, path, hcl.Pos{Line: 1, Column: 1})
	depth := 0
	for _, t := range toks {
		switch t.Type {
		case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen,
			hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl, hclsyntax.TokenOQuote,
			hclsyntax.TokenOHeredoc:
			depth++
			if depth > maxNesting {
				return t.Range.Start, true
			}
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen,
			hclsyntax.TokenTemplateSeqEnd, hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc:
			if depth > 0 {
				depth--
			}
		}
	}
	return hcl.Pos{}, false
}

// firstDiff is the line and column where two byte slices first differ.
func firstDiff(a, b []byte) hcl.Pos {
	line, col := 1, 1
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			break
		}
		if a[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return hcl.Pos{Line: line, Column: col}
}

func fileFinding(rule check.Rule, path string, pos hcl.Pos, msg string) check.Finding {
	return check.Finding{RuleID: rule.ID, Severity: rule.Severity, Message: msg,
		Location: tfmodel.Loc(hcl.Range{Filename: path, Start: pos, End: pos})}
}
