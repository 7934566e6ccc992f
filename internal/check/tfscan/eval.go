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
	rootDir  string // the root module's directory, relative to root
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
	// callVals are module calls' output values as the caller sees them;
	// callRefs the references behind each call.output.
	callVals map[string]cty.Value
	callRefs map[string][]tfmodel.Ref
}

// evalModule evaluates the module in dir with the caller's inputs and
// returns its outputs (an object, unknown where not known) and the
// references behind each output.
func (ev *evaluator) evalModule(dir, addr string, in inputs, provs map[string]*tfmodel.Provider, stack []string) (cty.Value, map[string][]tfmodel.Ref) {
	m := ev.mods[dir]
	ev.visited[dir] = true
	mc := &modCtx{ev: ev, mod: m, addr: addr, providers: map[string]*tfmodel.Provider{},
		stack: append(slices.Clone(stack), dir), managed: map[string]bool{},
		callVals: map[string]cty.Value{}, callRefs: map[string][]tfmodel.Ref{}}
	for k, p := range provs {
		mc.providers[k] = p
	}
	for _, b := range m.resources {
		if b.Type == "resource" {
			mc.managed[b.Labels[0]] = true
		}
	}
	mc.vars, mc.varRefs = bindVariables(m, in)
	mc.evalLocals()
	mc.evalProviders(mc.context())
	for _, c := range callOrder(m.calls) {
		mc.evalCall(c, mc.context())
	}
	// Locals and resources see the module outputs now known.
	mc.evalLocals()
	ctx := mc.context()
	for _, b := range m.resources {
		mc.evalResource(b, ctx)
	}
	return mc.outputs(ctx)
}

// evalLocals (re)evaluates every local value and the resource shapes. The
// passes let a known argument travel: var → resource → resource → local →
// resource (storage.location = local.loc, local.loc = rg.location,
// rg.location = var.location); what is still unknown after them stays so.
func (mc *modCtx) evalLocals() {
	mc.shapes = nil
	mc.evalLocalValues()
	mc.shapes = mc.resourceShapes(mc.context())
	refs := mc.mod.argRefs()
	if len(refs.args) == 0 {
		return
	}
	mc.shapes = mc.resourceShapes(mc.context())
	if refs.localsRead {
		mc.evalLocalValues()
		mc.shapes = mc.resourceShapes(mc.context())
	}
}

func (mc *modCtx) evalLocalValues() {
	mc.locals, mc.localRefs, mc.state = map[string]cty.Value{}, map[string][]tfmodel.Ref{}, map[string]int{}
	for name := range mc.mod.locals {
		mc.local(name)
	}
}

// outputs evaluates the module's output values.
func (mc *modCtx) outputs(ctx *hcl.EvalContext) (cty.Value, map[string][]tfmodel.Ref) {
	vals := map[string]cty.Value{}
	refs := map[string][]tfmodel.Ref{}
	for name, a := range mc.mod.outputs {
		vals[name] = evalExpr(a.Expr, ctx)
		refs[name] = mc.refs(a.Expr)
	}
	return objectOrEmpty(vals), refs
}

// callOrder puts module calls after the calls whose outputs they use.
func callOrder(calls []*hclsyntax.Block) []*hclsyntax.Block {
	deps := map[string]map[string]bool{}
	for _, c := range calls {
		d := map[string]bool{}
		for _, a := range c.Body.Attributes {
			for _, tr := range a.Expr.Variables() {
				if tr.RootName() == "module" {
					d[stepName(tr, 1)] = true
				}
			}
		}
		deps[c.Labels[0]] = d
	}
	var out []*hclsyntax.Block
	done := map[string]bool{}
	for len(out) < len(calls) {
		progressed := false
		for _, c := range calls {
			name := c.Labels[0]
			if done[name] {
				continue
			}
			ready := true
			for d := range deps[name] {
				if !done[d] && d != name && deps[d] != nil {
					ready = false
				}
			}
			if ready {
				out, done[name], progressed = append(out, c), true, true
			}
		}
		if !progressed { // a cycle: take the rest in order
			for _, c := range calls {
				if !done[c.Labels[0]] {
					out, done[c.Labels[0]] = append(out, c), true
				}
			}
		}
	}
	return out
}

// context is the module's evaluation context: var, local, path, terraform,
// and every resource, data source and module output as unknown.
func (mc *modCtx) context() *hcl.EvalContext {
	vars := map[string]cty.Value{
		"var":   objectOrEmpty(mc.vars),
		"local": objectOrEmpty(mc.locals),
		"path": cty.ObjectVal(map[string]cty.Value{
			"module": cty.StringVal(mc.mod.dir), "root": cty.StringVal(mc.ev.rootDir), "cwd": cty.StringVal(mc.ev.rootDir),
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
		if v, ok := mc.callVals[c.Labels[0]]; ok {
			calls[c.Labels[0]] = v
		}
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
		case b.Body.Attributes["count"] == nil && b.Body.Attributes["for_each"] == nil:
			read := mc.mod.argRefs().args[b.Labels[0]+"."+b.Labels[1]]
			if b.Type != "resource" || len(read) == 0 {
				continue
			}
			if v, ok := knownAttrs(b.Body, read, ctx); ok {
				out[key] = v
			}
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

// knownAttrs is a single resource's value as other expressions see it:
// an object of its top-level arguments, known where the configuration
// gives them (a literal, a variable, a local, another resource's known
// argument), unknown otherwise; an attribute the configuration does not set
// (a computed id) is absent, so an expression reading it stays unknown.
// Only the arguments read elsewhere are evaluated.
func knownAttrs(body *hclsyntax.Body, read map[string]bool, ctx *hcl.EvalContext) (cty.Value, bool) {
	attrs := make(map[string]cty.Value, len(body.Attributes))
	known := false
	for name, a := range body.Attributes {
		if resourceMeta[name] {
			continue
		}
		v := cty.DynamicVal
		if read[name] {
			v = evalExpr(a.Expr, ctx)
		}
		if !v.IsWhollyKnown() || v.IsNull() {
			v = cty.DynamicVal
		} else {
			known = true
		}
		attrs[name] = v
	}
	if !known {
		return cty.NilVal, false
	}
	return cty.ObjectVal(attrs), true
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
		case "module":
			out = append(out, mc.callRefs[stepName(tr, 1)+"."+outputName(tr)]...)
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

// outputName is the output a module.NAME[KEY].OUTPUT traversal reads.
func outputName(tr hcl.Traversal) string {
	for i := 2; i < len(tr); i++ {
		if a, ok := tr[i].(hcl.TraverseAttr); ok {
			return a.Name
		}
	}
	return ""
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
