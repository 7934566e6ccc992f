package tfmodel

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func block(attrs map[string]cty.Value) *Block {
	b := &Block{Attrs: map[string]*Attr{}}
	for k, v := range attrs {
		b.Attrs[k] = &Attr{Name: k, Value: v}
	}
	return b
}

func TestBool(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		v         *cty.Value
		def       bool
		want, kno bool
	}{
		{name: "absent uses default", def: true, want: true, kno: true},
		{name: "null uses default", v: ptr(cty.NullVal(cty.Bool)), def: false, want: false, kno: true},
		{name: "true", v: ptr(cty.True), want: true, kno: true},
		{name: "string false converts", v: ptr(cty.StringVal("false")), def: true, want: false, kno: true},
		{name: "unknown", v: ptr(cty.UnknownVal(cty.Bool)), def: true, want: false, kno: false},
		{name: "dynamic", v: ptr(cty.DynamicVal), want: false, kno: false},
		{name: "not a bool", v: ptr(cty.StringVal("maybe")), want: false, kno: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			attrs := map[string]cty.Value{}
			if tc.v != nil {
				attrs["x"] = *tc.v
			}
			got, known := block(attrs).Bool("x", tc.def)
			if got != tc.want || known != tc.kno {
				t.Errorf("Bool = %v, %v; want %v, %v", got, known, tc.want, tc.kno)
			}
		})
	}
}

func ptr(v cty.Value) *cty.Value { return &v }

func TestStrings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		v     cty.Value
		want  []string
		known bool
	}{
		{"list", cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}), []string{"a", "b"}, true},
		{"tuple of mixed", cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NumberIntVal(1)}), []string{"a", "1"}, true},
		{"single string", cty.StringVal("a"), []string{"a"}, true},
		{"unknown element", cty.ListVal([]cty.Value{cty.StringVal("a"), cty.UnknownVal(cty.String)}), nil, false},
		{"unknown list", cty.UnknownVal(cty.List(cty.String)), nil, false},
		{"null", cty.NullVal(cty.List(cty.String)), nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, known := block(map[string]cty.Value{"x": tc.v}).Strings("x")
			if known != tc.known || len(got) != len(tc.want) {
				t.Fatalf("Strings = %v, %v; want %v, %v", got, known, tc.want, tc.known)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("Strings[%d] = %q, want %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestAsStringMap(t *testing.T) {
	t.Parallel()
	m, known := AsStringMap(cty.ObjectVal(map[string]cty.Value{"owner": cty.StringVal("a"), "env": cty.UnknownVal(cty.String)}))
	if !known || m["owner"] != "a" || len(m) != 2 {
		t.Errorf("known keys with an unknown value: %v, %v", m, known)
	}
	if _, known := AsStringMap(cty.UnknownVal(cty.Map(cty.String))); known {
		t.Error("unknown map must not be known")
	}
	if _, known := AsStringMap(cty.StringVal("x")); known {
		t.Error("a string is not a map")
	}
}

func TestNested(t *testing.T) {
	t.Parallel()
	b := &Block{Blocks: []*Block{{Type: "rule"}, {Type: "rule", Uncertain: true}, {Type: "other"}}}
	certain, maybe := b.Nested("rule")
	if len(certain) != 1 || !maybe {
		t.Errorf("Nested = %d certain, maybe %v", len(certain), maybe)
	}
	if c, m := b.Nested("none"); c != nil || m {
		t.Errorf("Nested(none) = %v, %v", c, m)
	}
}

func TestLinked(t *testing.T) {
	t.Parallel()
	bucket := &Resource{Type: "aws_s3_bucket", Name: "b", Body: block(map[string]cty.Value{"bucket": cty.StringVal("data")})}
	other := &Resource{Type: "aws_s3_bucket", Name: "o", Body: block(nil)}
	pab := func(name string, v cty.Value, refs ...Ref) *Resource {
		b := block(map[string]cty.Value{"bucket": v})
		b.Attrs["bucket"].Refs = refs
		return &Resource{Type: "aws_s3_bucket_public_access_block", Name: name, Body: b}
	}
	ref := func(name string) Ref { return Ref{Type: "aws_s3_bucket", Name: name} }
	cases := []struct {
		name       string
		pabs       []*Resource
		linked     int
		unresolved bool
	}{
		{"by reference", []*Resource{pab("p", cty.UnknownVal(cty.String), ref("b"))}, 1, false},
		{"by name", []*Resource{pab("p", cty.StringVal("data"))}, 1, false},
		{"other bucket by reference", []*Resource{pab("p", cty.UnknownVal(cty.String), ref("o"))}, 0, false},
		{"other bucket by name", []*Resource{pab("p", cty.StringVal("logs"))}, 0, false},
		{"unknown without reference", []*Resource{pab("p", cty.UnknownVal(cty.String))}, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := NewConfig(append([]*Resource{bucket, other}, tc.pabs...), nil)
			l := c.Linked("aws_s3_bucket_public_access_block", "bucket", bucket, "data")
			if len(l.Linked) != tc.linked || l.Unresolved != tc.unresolved {
				t.Errorf("Linked = %d linked, unresolved %v; want %d, %v", len(l.Linked), l.Unresolved, tc.linked, tc.unresolved)
			}
		})
	}
}
