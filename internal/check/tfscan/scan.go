package tfscan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/platform"
)

// Request is one Terraform scan: the files of a repository (or of one
// component) and the environment whose inputs apply.
type Request struct {
	// Root is the directory every path is relative to.
	Root string
	// Files are .tf files relative to Root, slash-separated, already
	// filtered by the pipeline (no symlinks leaving Root, size-capped).
	Files []string
	// Env names the environment; it is copied to every finding.
	Env string
	// VarFiles are the environment's .tfvars files relative to Root; each
	// applies to the root module in its directory or the nearest parent.
	VarFiles []string
	// Settings are ferry.yaml's check settings (required tags, regions,
	// naming pattern). Rule enable/disable and severity overrides are not
	// applied here: the pipeline applies them and lists what they silence.
	Settings platform.Checks
}

// Scan parses and evaluates the Terraform files of req and returns every
// finding of the Terraform rules, sorted by file and line. The error is
// non-nil only when the context ends or a file cannot be read.
func Scan(ctx context.Context, req Request) ([]check.Finding, error) {
	var out []check.Finding
	files := make([]*parsedFile, 0, len(req.Files))
	for _, rel := range req.Files {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("scan terraform: %w", err)
		}
		src, err := os.ReadFile(filepath.Join(req.Root, filepath.FromSlash(rel)))
		if err != nil {
			return nil, fmt.Errorf("scan terraform: read %s: %w", rel, err)
		}
		body, fs := parseFile(rel, src)
		out = append(out, fs...)
		if body != nil {
			files = append(files, &parsedFile{path: rel, body: body})
		}
	}
	for i := range out {
		out[i].Env = req.Env
	}
	sortFindings(out)
	return out, nil
}

// Rules lists the metadata of every rule Scan can report.
func Rules() []check.Rule {
	return []check.Rule{ruleSyntax, ruleFormat, ruleNotScanned}
}

func sortFindings(fs []check.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i].Location, fs[j].Location
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return fs[i].RuleID < fs[j].RuleID
	})
}
