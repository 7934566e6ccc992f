package tfscan

import (
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
)

// rootInputs gathers a root module's variable values the way Terraform
// does: terraform.tfvars, then *.auto.tfvars in name order, then the
// environment's var files in the order given; later files win.
func (ev *evaluator) rootInputs(dir string, varFiles []string) inputs {
	in := inputs{vals: map[string]cty.Value{}, refs: map[string][]tfmodel.Ref{}}
	for _, f := range autoVarFiles(ev.root, dir) {
		ev.loadVarFile(f, in)
	}
	for _, f := range varFiles {
		ev.loadVarFile(f, in)
	}
	return in
}

// autoVarFiles lists the tfvars Terraform loads without being asked.
func autoVarFiles(root, dir string) []string {
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
	if err != nil {
		return nil
	}
	var first, auto []string
	for _, e := range entries {
		n := e.Name()
		if !e.Type().IsRegular() {
			continue
		}
		switch {
		case n == "terraform.tfvars" || n == "terraform.tfvars.json":
			first = append(first, path.Join(dir, n))
		case strings.HasSuffix(n, ".auto.tfvars") || strings.HasSuffix(n, ".auto.tfvars.json"):
			auto = append(auto, path.Join(dir, n))
		}
	}
	sort.Strings(first)
	sort.Strings(auto)
	return append(first, auto...)
}

// loadVarFile reads one tfvars file (HCL or JSON) into in. A file that
// cannot be read or parsed is reported and skipped, leaving those
// variables at their defaults.
func (ev *evaluator) loadVarFile(rel string, in inputs) {
	at := hcl.Range{Filename: rel, Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 1}}
	full := filepath.Join(ev.root, filepath.FromSlash(rel))
	st, err := os.Lstat(full)
	if err != nil || !st.Mode().IsRegular() || st.Size() > maxFileSize {
		ev.notScanned(at, "variable file %s is missing, not a regular file or too large; its values are not used", rel)
		return
	}
	src, err := os.ReadFile(full)
	if err != nil {
		ev.notScanned(at, "variable file %s cannot be read; its values are not used", rel)
		return
	}
	var f *hcl.File
	var diags hcl.Diagnostics
	// tfvars hold values, not calls: Terraform allows no functions or
	// references there. JSON values are literal (a nil context keeps
	// strings from being read as templates).
	var ctx *hcl.EvalContext
	if strings.HasSuffix(rel, ".json") {
		f, diags = hcljson.Parse(src, rel)
	} else {
		ctx = &hcl.EvalContext{Functions: map[string]function.Function{guardFunc: ev.funcs[guardFunc]}}
		if _, deep := tooDeep(rel, src); deep {
			ev.notScanned(at, "variable file %s nests too deep; its values are not used", rel)
			return
		}
		f, diags = hclsyntax.ParseConfig(src, rel, hcl.Pos{Line: 1, Column: 1})
		if b, ok := f.Body.(*hclsyntax.Body); ok && !diags.HasErrors() {
			guardForExprs(b)
		}
	}
	if diags.HasErrors() || f == nil {
		ev.notScanned(at, "variable file %s does not parse; its values are not used", rel)
		return
	}
	attrs, diags := f.Body.JustAttributes()
	if diags.HasErrors() {
		ev.notScanned(at, "variable file %s holds blocks; only attributes are used", rel)
	}
	for name, a := range attrs {
		in.vals[name] = evalExpr(a.Expr, ctx)
		delete(in.refs, name)
	}
}

// varFilesFor picks the var files that belong to root module dir: those in
// dir or below it, unless a nearer root module claims them.
func varFilesFor(dir string, roots []string, varFiles []string) []string {
	var out []string
	for _, vf := range varFiles {
		if nearestRoot(path.Dir(vf), roots) == dir {
			out = append(out, vf)
		}
	}
	return out
}

func nearestRoot(d string, roots []string) string {
	best := ""
	found := false
	for _, r := range roots {
		if r == "." || d == r || strings.HasPrefix(d, r+"/") {
			if !found || len(r) > len(best) {
				best, found = r, true
			}
		}
	}
	if !found {
		return "\x00"
	}
	return best
}
