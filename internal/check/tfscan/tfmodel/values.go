package tfmodel

import (
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Attr returns the named attribute, nil when absent.
func (b *Block) Attr(name string) *Attr {
	if b == nil {
		return nil
	}
	return b.Attrs[name]
}

// Known reports whether the attribute's value is wholly known.
func (a *Attr) Known() bool { return a != nil && a.Value.IsWhollyKnown() }

// Null reports whether the attribute is absent or null.
func (a *Attr) Null() bool {
	return a == nil || (a.Value.IsKnown() && a.Value.IsNull())
}

// Bool returns the attribute as a bool. When the attribute is absent or
// null it returns def; known is false when the value is unknown or not a
// bool.
func (b *Block) Bool(name string, def bool) (v, known bool) {
	a := b.Attr(name)
	if a.Null() {
		return def, true
	}
	return AsBool(a.Value)
}

// AsBool converts a value to a bool; known is false when it cannot.
func AsBool(v cty.Value) (b, known bool) {
	if !v.IsKnown() || v.IsNull() {
		return false, false
	}
	c, err := convert.Convert(v, cty.Bool)
	if err != nil || !c.IsKnown() || c.IsNull() {
		return false, false
	}
	return c.True(), true
}

// String returns the attribute as a string, def when absent or null;
// known is false when it is unknown or not a string.
func (b *Block) String(name, def string) (v string, known bool) {
	a := b.Attr(name)
	if a.Null() {
		return def, true
	}
	return AsString(a.Value)
}

// AsString converts a value to a string; known is false when it cannot.
func AsString(v cty.Value) (string, bool) {
	if !v.IsKnown() || v.IsNull() {
		return "", false
	}
	c, err := convert.Convert(v, cty.String)
	if err != nil || !c.IsKnown() || c.IsNull() {
		return "", false
	}
	return c.AsString(), true
}

// Number returns the attribute as an int, def when absent or null.
func (b *Block) Number(name string, def int64) (v int64, known bool) {
	a := b.Attr(name)
	if a.Null() {
		return def, true
	}
	return AsInt(a.Value)
}

// AsInt converts a value to an int64; known is false when it cannot.
func AsInt(v cty.Value) (int64, bool) {
	if !v.IsKnown() || v.IsNull() {
		return 0, false
	}
	c, err := convert.Convert(v, cty.Number)
	if err != nil || !c.IsKnown() || c.IsNull() {
		return 0, false
	}
	i, _ := c.AsBigFloat().Int64()
	return i, true
}

// Strings returns a list, set or tuple attribute (or a single string) as
// strings. known is false when the collection or any element is unknown;
// absent or null gives nil, true.
func (b *Block) Strings(name string) (vs []string, known bool) {
	a := b.Attr(name)
	if a.Null() {
		return nil, true
	}
	return AsStrings(a.Value)
}

// AsStrings converts a collection of strings (or one string).
func AsStrings(v cty.Value) ([]string, bool) {
	if !v.IsKnown() {
		return nil, false
	}
	if v.IsNull() {
		return nil, true
	}
	t := v.Type()
	if !(t.IsListType() || t.IsSetType() || t.IsTupleType()) {
		s, ok := AsString(v)
		if !ok {
			return nil, false
		}
		return []string{s}, true
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsKnown() && e.IsNull() {
			continue
		}
		s, ok := AsString(e)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// AsStringMap returns a map or object value's keys and string values. Keys
// are known whenever the map is; an unknown value reads as "". known is
// false when the map itself is unknown or not a map.
func AsStringMap(v cty.Value) (m map[string]string, known bool) {
	if !v.IsKnown() {
		return nil, false
	}
	if v.IsNull() {
		return map[string]string{}, true
	}
	t := v.Type()
	if !(t.IsMapType() || t.IsObjectType()) {
		return nil, false
	}
	m = map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if !k.IsKnown() {
			return nil, false
		}
		s, _ := AsString(e)
		m[k.AsString()] = s
	}
	return m, true
}

// Nested returns the certain nested blocks of a type and whether any
// uncertain (dynamic, unknown for_each) block of that type exists.
func (b *Block) Nested(typ string) (certain []*Block, maybe bool) {
	if b == nil {
		return nil, false
	}
	for _, n := range b.Blocks {
		if n.Type != typ {
			continue
		}
		if n.Uncertain {
			maybe = true
			continue
		}
		certain = append(certain, n)
	}
	return certain, maybe
}

// First returns the first certain nested block of a type, nil when none;
// maybe reports an uncertain one.
func (b *Block) First(typ string) (blk *Block, maybe bool) {
	c, m := b.Nested(typ)
	if len(c) > 0 {
		return c[0], m
	}
	return nil, m
}

// RangeOf returns the attribute's range when present, else the block's.
func (b *Block) RangeOf(name string) Range {
	if a := b.Attr(name); a != nil {
		return a.Range
	}
	return b.Range
}
