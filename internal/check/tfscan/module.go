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
	refs      *argRefs                        // see argRefs
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

// argRefs are the arguments of this module's single resources that its
// expressions read (`azurerm_resource_group.rg.location`): type.name →
// argument names. Only these are evaluated for other expressions to see,
// so a module that reads none pays nothing. localsRead says whether a
// local reads one. Computed once per directory.
type argRefs struct {
	args       map[string]map[string]bool
	localsRead bool
}

func (m *moduleDir) argRefs() *argRefs {
	if m.refs != nil {
		return m.refs
	}
	r := &argRefs{args: map[string]map[string]bool{}}
	managed := map[string]bool{}
	for _, b := range m.resources {
		if b.Type == "resource" {
			managed[b.Labels[0]] = true
		}
	}
	note := func(a *hclsyntax.Attribute) bool {
		found := false
		for _, tr := range a.Expr.Variables() {
			if !managed[tr.RootName()] {
				continue
			}
			name, arg := stepName(tr, 1), stepName(tr, 2)
			if name == "" || arg == "" {
				continue
			}
			key := tr.RootName() + "." + name
			if r.args[key] == nil {
				r.args[key] = map[string]bool{}
			}
			r.args[key][arg], found = true, true
		}
		return found
	}
	var walk func(b *hclsyntax.Body)
	walk = func(b *hclsyntax.Body) {
		for _, a := range b.Attributes {
			note(a)
		}
		for _, nb := range b.Blocks {
			walk(nb.Body)
		}
	}
	for _, b := range m.resources {
		walk(b.Body)
	}
	for _, b := range m.calls {
		walk(b.Body)
	}
	for _, b := range m.providers {
		walk(b.Body)
	}
	for _, a := range m.outputs {
		note(a)
	}
	for _, a := range m.locals {
		if note(a) {
			r.localsRead = true
		}
	}
	// Keep only arguments the configuration sets (not a computed id).
	set := map[string]bool{}
	for _, b := range m.resources {
		key := b.Labels[0] + "." + b.Labels[1]
		if b.Type != "resource" || r.args[key] == nil {
			continue
		}
		for arg := range r.args[key] {
			if b.Body.Attributes[arg] == nil {
				delete(r.args[key], arg)
			}
		}
		if len(r.args[key]) > 0 {
			set[key] = true
		}
	}
	for key := range r.args {
		if !set[key] {
			delete(r.args, key)
		}
	}
	m.refs = r
	return r
}
