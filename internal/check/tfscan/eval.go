package tfscan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
)

// Bounds on expansion so a hostile count or a deep module chain cannot
// exhaust memory.
const (
	maxInstances   = 1000 // per resource or module block
	maxModuleDepth = 32
	maxTotal       = 200000 // resource instances per root module
	maxModules     = 10000  // module instances per root module
)

var ctyString = cty.String

// evaluator evaluates one root module and the local modules it calls.
type evaluator struct {
	root     string // Request.Root on disk, for file()
	mods     map[string]*moduleDir
	funcs    map[string]function.Function
	res      []*tfmodel.Resource
	provs    []*tfmodel.Provider
	findings []check.Finding
	visited  map[string]bool
	modules  int // module instances evaluated
}

// modCtx is one module instance being evaluated.
type modCtx struct {
	ev        *evaluator
	mod       *moduleDir
	addr      string // "" or module.a[0]
	vars      map[string]cty.Value
	varRefs   map[string][]tfmodel.Ref
	locals    map[string]cty.Value
	localRefs map[string][]tfmodel.Ref
	state     map[string]int // local evaluation: 1 in progress, 2 done
	providers map[string]*tfmodel.Provider
	stack     []string
	managed   map[string]bool // resource types declared in this module
	// shapes are resource values as other expressions see them: unknown
	// objects, in a tuple (count) or an object keyed like for_each when the
	// instance keys are known, so for_each over a resource expands.
	shapes map[string]cty.Value
	// eachRefs are the references of the for_each being expanded: each.value
	// stands for the resources it iterates over.
	eachRefs []tfmodel.Ref
}

// evalModule evaluates the module in dir with the caller's inputs.
func (ev *evaluator) evalModule(dir, addr string, in inputs, provs map[string]*tfmodel.Provider, stack []string) {
	m := ev.mods[dir]
	ev.visited[dir] = true
	mc := &modCtx{ev: ev, mod: m, addr: addr, locals: map[string]cty.Value{},
		localRefs: map[string][]tfmodel.Ref{}, state: map[string]int{},
		providers: map[string]*tfmodel.Provider{}, stack: append(slices.Clone(stack), dir),
		managed: map[string]bool{}}
	for k, p := range provs {
		mc.providers[k] = p
	}
	for _, b := range m.resources {
		if b.Type == "resource" {
			mc.managed[b.Labels[0]] = true
		}
	}
	mc.vars, mc.varRefs = bindVariables(m, in)
	for name := range m.locals {
		mc.local(name)
	}
	mc.shapes = mc.resourceShapes(mc.context())
	ctx := mc.context()
	mc.evalProviders(ctx)
	for _, b := range m.resources {
		mc.evalResource(b, ctx)
	}
	for _, c := range m.calls {
		mc.evalCall(c, ctx)
	}
}

// context is the module's evaluation context: var, local, path, terraform,
// and every resource, data source and module output as unknown.
func (mc *modCtx) context() *hcl.EvalContext {
	vars := map[string]cty.Value{
		"var":   objectOrEmpty(mc.vars),
		"local": objectOrEmpty(mc.locals),
		"path": cty.ObjectVal(map[string]cty.Value{
			"module": cty.StringVal(mc.mod.dir), "root": cty.StringVal("."), "cwd": cty.StringVal("."),
		}),
		"terraform": cty.ObjectVal(map[string]cty.Value{"workspace": cty.UnknownVal(cty.String)}),
		"self":      cty.DynamicVal,
	}
	managed := map[string]map[string]cty.Value{}
	data := map[string]map[string]cty.Value{}
	for _, b := range mc.mod.resources {
		t, n := b.Labels[0], b.Labels[1]
		dst := managed
		if b.Type == "data" {
			dst = data
		}
		if dst[t] == nil {
			dst[t] = map[string]cty.Value{}
		}
		dst[t][n] = cty.DynamicVal
		if v, ok := mc.shapes[b.Type+"."+t+"."+n]; ok {
			dst[t][n] = v
		}
	}
	for t, names := range managed {
		if _, reserved := vars[t]; !reserved && t != "data" && t != "module" && t != "count" && t != "each" {
			vars[t] = cty.ObjectVal(names)
		}
	}
	dataObj := map[string]cty.Value{}
	for t, names := range data {
		dataObj[t] = cty.ObjectVal(names)
	}
	vars["data"] = objectOrEmpty(dataObj)
	calls := map[string]cty.Value{}
	for _, c := range mc.mod.calls {
		calls[c.Labels[0]] = cty.DynamicVal
	}
	vars["module"] = objectOrEmpty(calls)
	return &hcl.EvalContext{Variables: vars, Functions: mc.ev.funcs}
}

func objectOrEmpty(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}

// resourceShapes computes each resource block's value shape from its
// count or for_each, evaluated in ctx.
func (mc *modCtx) resourceShapes(ctx *hcl.EvalContext) map[string]cty.Value {
	out := map[string]cty.Value{}
	for _, b := range mc.mod.resources {
		insts := expand(b.Body, ctx)
		key := b.Type + "." + b.Labels[0] + "." + b.Labels[1]
		switch {
		case b.Body.Attributes["count"] != nil && !anyUncertain(insts):
			elems := make([]cty.Value, len(insts))
			for i := range elems {
				elems[i] = cty.DynamicVal
			}
			out[key] = cty.TupleVal(elems)
		case b.Body.Attributes["for_each"] != nil && !anyUncertain(insts):
			obj := map[string]cty.Value{}
			for _, in := range insts {
				obj[in.name] = cty.DynamicVal
			}
			out[key] = objectOrEmpty(obj)
		}
	}
	return out
}

func anyUncertain(insts []instance) bool {
	for _, in := range insts {
		if in.uncertain {
			return true
		}
	}
	return false
}

// local evaluates a local value after the locals it depends on; a cycle
// leaves the value unknown.
func (mc *modCtx) local(name string) {
	switch mc.state[name] {
	case 1:
		mc.locals[name] = cty.DynamicVal
		return
	case 2:
		return
	}
	a := mc.mod.locals[name]
	if a == nil {
		return
	}
	mc.state[name] = 1
	for _, tr := range a.Expr.Variables() {
		if tr.RootName() == "local" {
			if dep := stepName(tr, 1); dep != "" && mc.state[dep] != 1 {
				mc.local(dep)
			}
		}
	}
	ctx := mc.context()
	mc.locals[name] = evalExpr(a.Expr, ctx)
	mc.localRefs[name] = mc.refs(a.Expr)
	mc.state[name] = 2
}

// evalExpr evaluates an expression; any error makes the value unknown so
// that no rule guesses from it.
func evalExpr(e hcl.Expression, ctx *hcl.EvalContext) (v cty.Value) {
	defer func() {
		// go-cty and hcl functions can panic on exotic values; an
		// expression that cannot be evaluated is simply unknown.
		if recover() != nil {
			v = cty.DynamicVal
		}
	}()
	v, diags := e.Value(ctx)
	if diags.HasErrors() || v == cty.NilVal {
		return cty.DynamicVal
	}
	return v
}

// refs lists the resources an expression refers to, through variables and
// locals.
func (mc *modCtx) refs(e hcl.Expression) []tfmodel.Ref {
	var out []tfmodel.Ref
	for _, tr := range e.Variables() {
		root := tr.RootName()
		switch root {
		case "each":
			out = append(out, mc.eachRefs...)
		case "var":
			out = append(out, mc.varRefs[stepName(tr, 1)]...)
		case "local":
			out = append(out, mc.localRefs[stepName(tr, 1)]...)
		case "data":
			if t, n := stepName(tr, 1), stepName(tr, 2); t != "" && n != "" {
				out = append(out, tfmodel.Ref{Module: mc.addr, Mode: tfmodel.Data, Type: t, Name: n})
			}
		default:
			if mc.managed[root] {
				if n := stepName(tr, 1); n != "" {
					out = append(out, tfmodel.Ref{Module: mc.addr, Mode: tfmodel.Managed, Type: root, Name: n})
				}
			}
		}
	}
	return out
}

// stepName is the attribute name at position i of a traversal.
func stepName(tr hcl.Traversal, i int) string {
	if i >= len(tr) {
		return ""
	}
	if a, ok := tr[i].(hcl.TraverseAttr); ok {
		return a.Name
	}
	return ""
}

// notScanned records a FERRY-TF-003 warning.
func (ev *evaluator) notScanned(at hcl.Range, format string, args ...any) {
	ev.findings = append(ev.findings, check.Finding{RuleID: ruleNotScanned.ID,
		Severity: ruleNotScanned.Severity, Message: fmt.Sprintf(format, args...),
		Location: tfmodel.Loc(at)})
}

// joinAddr appends a step to a module address.
func joinAddr(prefix, step string) string {
	if prefix == "" {
		return step
	}
	return prefix + "." + step
}

// providerKey is the provider configuration a resource uses: its explicit
// provider argument or the provider named by its type's prefix.
func providerKey(b *hclsyntax.Block) string {
	if a := b.Body.Attributes["provider"]; a != nil {
		if tr, diags := hcl.AbsTraversalForExpr(a.Expr); !diags.HasErrors() {
			parts := []string{tr.RootName()}
			if n := stepName(tr, 1); n != "" {
				parts = append(parts, n)
			}
			return strings.Join(parts, ".")
		}
	}
	t := b.Labels[0]
	if i := strings.IndexByte(t, '_'); i > 0 {
		return t[:i]
	}
	return t
}
