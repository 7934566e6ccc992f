package tfscan

import (
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
)

// inputs are the values given to a module's variables: a module call's
// arguments, or a root module's tfvars.
type inputs struct {
	vals map[string]cty.Value
	refs map[string][]tfmodel.Ref
}

// callMeta are module block arguments that are not inputs.
var callMeta = map[string]bool{"source": true, "version": true, "count": true,
	"for_each": true, "providers": true, "depends_on": true}

// evalCall follows a local module call with the caller's inputs.
func (mc *modCtx) evalCall(c *hclsyntax.Block, ctx *hcl.EvalContext) {
	ev := mc.ev
	mc.callVals[c.Labels[0]] = cty.DynamicVal
	dir, at, ok := mc.callDir(c)
	if !ok {
		return
	}
	provs := mc.childProviders(c)
	mc.eachRefs = nil
	if fe := c.Body.Attributes["for_each"]; fe != nil {
		mc.eachRefs = mc.refs(fe.Expr)
	}
	defer func() { mc.eachRefs = nil }()
	insts := expand(c.Body, ctx)
	vals := make([]cty.Value, 0, len(insts))
	for _, inst := range insts {
		if ev.modules++; ev.modules > maxModules {
			if ev.modules == maxModules+1 {
				ev.notScanned(at, "module %q: more than %d module instances; the rest are not scanned", c.Labels[0], maxModules)
			}
			return
		}
		in := inputs{vals: map[string]cty.Value{}, refs: map[string][]tfmodel.Ref{}}
		for name, a := range c.Body.Attributes {
			if callMeta[name] {
				continue
			}
			in.vals[name] = evalExpr(a.Expr, inst.ctx)
			in.refs[name] = mc.refs(a.Expr)
		}
		out, refs := ev.evalModule(dir, joinAddr(mc.addr, "module."+c.Labels[0]+inst.key), in, provs, mc.stack)
		vals = append(vals, out)
		for name, r := range refs {
			key := c.Labels[0] + "." + name
			mc.callRefs[key] = append(mc.callRefs[key], r...)
		}
	}
	mc.callVals[c.Labels[0]] = callShape(c, insts, vals)
}

// callShape is how the caller sees a module call's outputs: one object, a
// tuple (count) or an object keyed like for_each; unknown when the
// instances are not all known or evaluated.
func callShape(c *hclsyntax.Block, insts []instance, vals []cty.Value) cty.Value {
	if len(vals) != len(insts) || anyUncertain(insts) {
		return cty.DynamicVal
	}
	switch {
	case c.Body.Attributes["count"] != nil:
		return cty.TupleVal(vals)
	case c.Body.Attributes["for_each"] != nil:
		obj := map[string]cty.Value{}
		for i, in := range insts {
			obj[in.name] = vals[i]
		}
		return objectOrEmpty(obj)
	case len(vals) == 1:
		return vals[0]
	}
	return cty.DynamicVal
}

// callDir resolves a module call to a scanned local directory, reporting
// calls that cannot be followed.
func (mc *modCtx) callDir(c *hclsyntax.Block) (dir string, at hcl.Range, ok bool) {
	ev := mc.ev
	at = c.DefRange()
	if a := c.Body.Attributes["source"]; a != nil {
		at = a.SrcRange
	}
	src, local := callSource(c)
	if !local {
		ev.notScanned(at, "module %q: source %q is not a local path; its resources are not scanned", c.Labels[0], src)
		return "", at, false
	}
	dir, ok = localCallDir(mc.mod.dir, src)
	switch {
	case !ok:
		ev.notScanned(at, "module %q: source %q leaves the scanned directory; its resources are not scanned", c.Labels[0], src)
	case ev.mods[dir] == nil:
		ev.notScanned(at, "module %q: no Terraform files scanned in %s", c.Labels[0], dir)
		ok = false
	case slices.Contains(mc.stack, dir) || len(mc.stack) >= maxModuleDepth:
		ev.notScanned(at, "module %q: module calls form a cycle or nest too deep at %s", c.Labels[0], dir)
		ok = false
	}
	return dir, at, ok
}

// childProviders are the provider configurations a called module gets: the
// caller's default ones, remapped by the call's providers argument.
func (mc *modCtx) childProviders(c *hclsyntax.Block) map[string]*tfmodel.Provider {
	out := map[string]*tfmodel.Provider{}
	for k, p := range mc.providers {
		if p.Alias == "" {
			out[k] = p
		}
	}
	a := c.Body.Attributes["providers"]
	if a == nil {
		return out
	}
	obj, ok := a.Expr.(*hclsyntax.ObjectConsExpr)
	if !ok {
		return out
	}
	for _, item := range obj.Items {
		k := traversalName(item.KeyExpr)
		v := traversalName(item.ValueExpr)
		if k == "" || v == "" {
			continue
		}
		out[k] = mc.providers[v]
	}
	return out
}

// traversalName renders aws or aws.west from a provider reference.
func traversalName(e hcl.Expression) string {
	if k, ok := e.(*hclsyntax.ObjectConsKeyExpr); ok {
		e = k.Wrapped
	}
	tr, diags := hcl.AbsTraversalForExpr(e)
	if diags.HasErrors() {
		return ""
	}
	if n := stepName(tr, 1); n != "" {
		return tr.RootName() + "." + n
	}
	return tr.RootName()
}

// bindVariables gives each declared variable its input, else its default,
// else an unknown value, converted to the declared type.
func bindVariables(m *moduleDir, in inputs) (map[string]cty.Value, map[string][]tfmodel.Ref) {
	vals := make(map[string]cty.Value, len(m.variables))
	refs := map[string][]tfmodel.Ref{}
	for name, b := range m.variables {
		v, given := in.vals[name]
		if given && v.IsKnown() && v.IsNull() && nonNullable(b) {
			given = false // null means "use the default" for nullable = false
		}
		if given {
			refs[name] = in.refs[name]
		} else if d := b.Body.Attributes["default"]; d != nil {
			v = evalExpr(d.Expr, nil)
		} else {
			v = cty.DynamicVal
		}
		vals[name] = typed(b, v)
	}
	return vals, refs
}

func nonNullable(b *hclsyntax.Block) bool {
	a := b.Body.Attributes["nullable"]
	if a == nil {
		return false
	}
	v := evalExpr(a.Expr, nil)
	return v.IsKnown() && !v.IsNull() && v.Type() == cty.Bool && v.False()
}

// typed converts a variable value to its type constraint, applying
// optional attribute defaults; a value that does not convert is unknown.
func typed(b *hclsyntax.Block, v cty.Value) (out cty.Value) {
	defer func() {
		if recover() != nil {
			out = cty.DynamicVal
		}
	}()
	t := b.Body.Attributes["type"]
	if t == nil {
		return v
	}
	ty, defaults, diags := typeexpr.TypeConstraintWithDefaults(t.Expr)
	if diags.HasErrors() {
		return v
	}
	if defaults != nil && v.IsWhollyKnown() {
		v = defaults.Apply(v)
	}
	c, err := convert.Convert(v, ty)
	if err != nil {
		return cty.DynamicVal
	}
	return c
}
