package tfscan

import (
	"sort"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
)

// instance is one expansion of a block with count or for_each.
type instance struct {
	key  string // "", [0] or ["k"]
	name string // the for_each key
	ctx  *hcl.EvalContext
	// uncertain: count or for_each was unknown, so the one instance stands
	// for zero or more.
	uncertain bool
}

// expand returns the instances of a block with count / for_each.
func expand(body *hclsyntax.Body, ctx *hcl.EvalContext) []instance {
	if a := body.Attributes["count"]; a != nil {
		return expandCount(evalExpr(a.Expr, ctx), ctx)
	}
	if a := body.Attributes["for_each"]; a != nil {
		return expandForEach(evalExpr(a.Expr, ctx), ctx)
	}
	return []instance{{ctx: ctx}}
}

func expandCount(v cty.Value, ctx *hcl.EvalContext) []instance {
	n, known := tfmodel.AsInt(v)
	if !known {
		if v.IsKnown() && v.IsNull() {
			return nil
		}
		c := child(ctx, "count", cty.ObjectVal(map[string]cty.Value{"index": cty.UnknownVal(cty.Number)}))
		return []instance{{ctx: c, uncertain: true}}
	}
	n = min(n, maxInstances)
	out := make([]instance, 0, max(n, 0))
	for i := int64(0); i < n; i++ {
		c := child(ctx, "count", cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(i)}))
		out = append(out, instance{key: "[" + strconv.FormatInt(i, 10) + "]", ctx: c})
	}
	return out
}

func expandForEach(v cty.Value, ctx *hcl.EvalContext) []instance {
	if !v.IsKnown() || !v.CanIterateElements() && !v.IsNull() {
		return unknownEach(ctx)
	}
	if v.IsNull() {
		return nil
	}
	type kv struct {
		k string
		v cty.Value
	}
	var items []kv
	isSet := v.Type().IsSetType()
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if isSet {
			k = e
		}
		ks, ok := tfmodel.AsString(k)
		if !ok {
			return unknownEach(ctx)
		}
		items = append(items, kv{ks, e})
		if len(items) >= maxInstances {
			break
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].k < items[j].k })
	out := make([]instance, 0, len(items))
	for _, it := range items {
		c := child(ctx, "each", cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(it.k), "value": it.v}))
		out = append(out, instance{key: "[" + strconv.Quote(it.k) + "]", name: it.k, ctx: c})
	}
	return out
}

func unknownEach(ctx *hcl.EvalContext) []instance {
	c := child(ctx, "each", cty.ObjectVal(map[string]cty.Value{"key": cty.UnknownVal(cty.String), "value": cty.DynamicVal}))
	return []instance{{ctx: c, uncertain: true}}
}

func child(ctx *hcl.EvalContext, name string, v cty.Value) *hcl.EvalContext {
	c := ctx.NewChild()
	c.Variables = map[string]cty.Value{name: v}
	return c
}

// resourceMeta are arguments Terraform itself interprets, not the provider.
var resourceMeta = map[string]bool{"count": true, "for_each": true, "provider": true, "depends_on": true}
var resourceMetaBlocks = map[string]bool{"lifecycle": true, "provisioner": true, "connection": true}

// evalResource expands and evaluates one resource or data block.
func (mc *modCtx) evalResource(b *hclsyntax.Block, ctx *hcl.EvalContext) {
	mode := tfmodel.Managed
	prefix := ""
	if b.Type == "data" {
		mode, prefix = tfmodel.Data, "data."
	}
	prov := mc.providers[providerKey(b)]
	mc.eachRefs = nil
	if fe := b.Body.Attributes["for_each"]; fe != nil {
		mc.eachRefs = mc.refs(fe.Expr)
	}
	defer func() { mc.eachRefs = nil }()
	for _, inst := range expand(b.Body, ctx) {
		if len(mc.ev.res) >= maxTotal {
			return
		}
		body := mc.evalBody(b, inst.ctx, true)
		body.Uncertain = inst.uncertain
		mc.ev.res = append(mc.ev.res, &tfmodel.Resource{
			Mode: mode, Type: b.Labels[0], Name: b.Labels[1], Module: mc.addr,
			Address:  joinAddr(mc.addr, prefix+b.Labels[0]+"."+b.Labels[1]+inst.key),
			Body:     body,
			Provider: prov,
		})
	}
}

// evalBody evaluates a block's attributes and nested blocks. top drops
// Terraform's meta-arguments.
func (mc *modCtx) evalBody(b *hclsyntax.Block, ctx *hcl.EvalContext, top bool) *tfmodel.Block {
	out := &tfmodel.Block{Type: b.Type, Labels: b.Labels, Attrs: map[string]*tfmodel.Attr{}, Range: b.Range()}
	for name, a := range b.Body.Attributes {
		if top && resourceMeta[name] {
			continue
		}
		out.Attrs[name] = &tfmodel.Attr{Name: name, Value: evalExpr(a.Expr, ctx), Range: a.SrcRange, Refs: mc.refs(a.Expr)}
	}
	for _, nb := range b.Body.Blocks {
		switch {
		case top && resourceMetaBlocks[nb.Type]:
		case nb.Type == "dynamic" && len(nb.Labels) == 1:
			out.Blocks = append(out.Blocks, mc.evalDynamic(nb, ctx)...)
		default:
			out.Blocks = append(out.Blocks, mc.evalBody(nb, ctx, false))
		}
	}
	return out
}

// evalDynamic expands a dynamic block. When for_each is unknown it yields
// one uncertain block with an unknown iterator.
func (mc *modCtx) evalDynamic(d *hclsyntax.Block, ctx *hcl.EvalContext) []*tfmodel.Block {
	var content *hclsyntax.Block
	for _, nb := range d.Body.Blocks {
		if nb.Type == "content" {
			content = nb
		}
	}
	fe := d.Body.Attributes["for_each"]
	if content == nil || fe == nil {
		return nil
	}
	iter := d.Labels[0]
	if a := d.Body.Attributes["iterator"]; a != nil {
		if tr, diags := hcl.AbsTraversalForExpr(a.Expr); !diags.HasErrors() {
			iter = tr.RootName()
		}
	}
	// Generated blocks point at the content block, where their arguments are.
	shell := &hclsyntax.Block{Type: d.Labels[0], Body: content.Body, TypeRange: content.TypeRange,
		OpenBraceRange: content.OpenBraceRange, CloseBraceRange: content.CloseBraceRange}
	v := evalExpr(fe.Expr, ctx)
	if !v.IsKnown() || (!v.IsNull() && !v.CanIterateElements()) {
		c := child(ctx, iter, cty.ObjectVal(map[string]cty.Value{"key": cty.DynamicVal, "value": cty.DynamicVal}))
		blk := mc.evalBody(shell, c, false)
		blk.Uncertain = true
		return []*tfmodel.Block{blk}
	}
	if v.IsNull() {
		return nil
	}
	var out []*tfmodel.Block
	for it := v.ElementIterator(); it.Next() && len(out) < maxInstances; {
		k, e := it.Element()
		if v.Type().IsSetType() {
			k = e
		}
		c := child(ctx, iter, cty.ObjectVal(map[string]cty.Value{"key": k, "value": e}))
		out = append(out, mc.evalBody(shell, c, false))
	}
	return out
}

// evalProviders evaluates the module's provider blocks; they override the
// inherited configuration of the same name.
func (mc *modCtx) evalProviders(ctx *hcl.EvalContext) {
	for _, b := range mc.mod.providers {
		body := mc.evalBody(b, ctx, true)
		alias, _ := body.String("alias", "")
		key := b.Labels[0]
		if alias != "" {
			key += "." + alias
		}
		p := &tfmodel.Provider{Name: b.Labels[0], Alias: alias, Module: mc.addr, Body: body, Range: b.Range()}
		mc.providers[key] = p
		mc.ev.provs = append(mc.ev.provs, p)
	}
}
