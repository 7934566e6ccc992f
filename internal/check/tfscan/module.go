package tfscan

import (
	"path"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// moduleDir is the declarations of one directory's .tf files.
type moduleDir struct {
	dir       string
	variables map[string]*hclsyntax.Block
	locals    map[string]*hclsyntax.Attribute
	resources []*hclsyntax.Block // resource and data blocks
	calls     []*hclsyntax.Block // module blocks
	providers []*hclsyntax.Block
	outputs   map[string]*hclsyntax.Attribute // output name → its value
}

// groupModules sorts parsed files into module directories.
func groupModules(files []*parsedFile) map[string]*moduleDir {
	mods := map[string]*moduleDir{}
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
	for _, f := range files {
		dir := path.Dir(f.path)
		m := mods[dir]
		if m == nil {
			m = &moduleDir{dir: dir, variables: map[string]*hclsyntax.Block{},
				locals: map[string]*hclsyntax.Attribute{}, outputs: map[string]*hclsyntax.Attribute{}}
			mods[dir] = m
		}
		m.add(f.body)
	}
	return mods
}

func (m *moduleDir) add(body *hclsyntax.Body) {
	for _, b := range body.Blocks {
		switch b.Type {
		case "variable":
			if len(b.Labels) == 1 {
				m.variables[b.Labels[0]] = b
			}
		case "locals":
			for name, a := range b.Body.Attributes {
				m.locals[name] = a
			}
		case "resource", "data":
			if len(b.Labels) == 2 {
				m.resources = append(m.resources, b)
			}
		case "module":
			if len(b.Labels) == 1 {
				m.calls = append(m.calls, b)
			}
		case "provider":
			if len(b.Labels) == 1 {
				m.providers = append(m.providers, b)
			}
		case "output":
			if v := b.Body.Attributes["value"]; len(b.Labels) == 1 && v != nil {
				m.outputs[b.Labels[0]] = v
			}
		}
	}
}

// callSource is a module call's source when it is a local path.
func callSource(call *hclsyntax.Block) (src string, local bool) {
	a := call.Body.Attributes["source"]
	if a == nil {
		return "", false
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() || !v.Type().Equals(ctyString) {
		return "", false
	}
	src = v.AsString()
	return src, strings.HasPrefix(src, "./") || strings.HasPrefix(src, "../")
}

// localCallDir resolves a local module source against the caller's
// directory; ok is false when it leaves the scanned root.
func localCallDir(callerDir, src string) (string, bool) {
	d := path.Clean(path.Join(callerDir, src))
	if d == ".." || strings.HasPrefix(d, "../") || strings.HasPrefix(d, "/") {
		return "", false
	}
	return d, true
}

// rootModules are the directories no other directory calls as a module.
func rootModules(mods map[string]*moduleDir) []string {
	called := map[string]bool{}
	for _, m := range mods {
		for _, c := range m.calls {
			if src, local := callSource(c); local {
				if d, ok := localCallDir(m.dir, src); ok && d != m.dir {
					called[d] = true
				}
			}
		}
	}
	var roots []string
	for d := range mods {
		if !called[d] {
			roots = append(roots, d)
		}
	}
	sort.Strings(roots)
	return roots
}
