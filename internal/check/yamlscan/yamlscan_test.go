package yamlscan

import (
	"strings"
	"testing"

	"ferry.dev/ferry/internal/check"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		src       string
		wantDocs  int
		wantStart []int
		wantRule  string
		wantLine  int
	}{
		{name: "multi doc", src: "a: 1\n---\n# c\nkind: Pod\napiVersion: v1\n---\n", wantDocs: 2, wantStart: []int{1, 4}},
		{name: "empty docs skipped", src: "---\n---\n# only comment\n---\nx: 1\n", wantDocs: 1, wantStart: []int{5}},
		{name: "syntax error has line", src: "a: 1\nb: [\n", wantRule: check.RuleYAMLSyntax, wantLine: 2},
		{name: "bad indentation", src: "a:\n  b: 1\n c: 2\n", wantRule: check.RuleYAMLSyntax, wantLine: 2},
		{name: "doc before error kept", src: "a: 1\n---\nb: : :\n", wantDocs: 1, wantStart: []int{1}, wantRule: check.RuleYAMLSyntax, wantLine: 3},
		{name: "deep nesting refused", src: strings.Repeat("[", 150) + strings.Repeat("]", 150), wantRule: check.RuleYAMLSyntax, wantLine: 1},
		{name: "alias bomb refused", src: aliasBomb(), wantRule: check.RuleYAMLSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			docs, fs := Parse("f.yaml", []byte(tt.src))
			if len(docs) != tt.wantDocs {
				t.Fatalf("docs = %d, want %d", len(docs), tt.wantDocs)
			}
			for i, d := range docs {
				if d.Start != tt.wantStart[i] {
					t.Errorf("doc %d start = %d, want %d", i, d.Start, tt.wantStart[i])
				}
			}
			if tt.wantRule == "" {
				if len(fs) != 0 {
					t.Fatalf("unexpected findings %+v", fs)
				}
				return
			}
			if len(fs) != 1 || fs[0].RuleID != tt.wantRule {
				t.Fatalf("findings = %+v, want one %s", fs, tt.wantRule)
			}
			if tt.wantLine != 0 && fs[0].Location.Line != tt.wantLine {
				t.Errorf("line = %d, want %d (%s)", fs[0].Location.Line, tt.wantLine, fs[0].Message)
			}
		})
	}
}

func aliasBomb() string {
	var b strings.Builder
	b.WriteString("a: &a [x, x, x, x, x, x, x, x, x, x]\n")
	prev := "a"
	for i := range 12 {
		name := string(rune('b' + i))
		b.WriteString(name + ": &" + name + " [")
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
		prev = name
	}
	return b.String()
}

func TestDocumentAt(t *testing.T) {
	t.Parallel()
	src := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: nginx\n"
	docs, fs := Parse("d.yaml", []byte(src))
	if len(fs) != 0 || len(docs) != 1 {
		t.Fatalf("parse: %v %v", docs, fs)
	}
	d := docs[0]
	if d.Resource() != "Deployment/shop/web" || !d.IsKubernetes() {
		t.Errorf("resource = %q", d.Resource())
	}
	tests := []struct {
		path Path
		line int
	}{
		{Path{"spec", "template", "spec", "containers", 0, "image"}, 11},
		{Path{"spec", "template", "spec", "containers", 0, "securityContext", "privileged"}, 10},
		{Path{"spec", "template", "spec", "containers", 0}, 10},
		{Path{"metadata", "namespace"}, 5},
		{Path{}, 1},
	}
	for _, tt := range tests {
		if got := d.At(tt.path).Line; got != tt.line {
			t.Errorf("At(%v) = %d, want %d", tt.path, got, tt.line)
		}
	}
	rendered := &Document{File: "render", Root: d.Root, Origin: d}
	if loc := rendered.At(Path{"kind"}); loc.File != "d.yaml" || loc.Line != 2 {
		t.Errorf("rendered At = %+v", loc)
	}
	v, err := d.Value()
	if err != nil {
		t.Fatal(err)
	}
	if v.(map[string]any)["kind"] != "Deployment" {
		t.Errorf("value = %v", v)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"a: 1\n---\nb: [1, 2]\n", "&a [*a]", aliasBomb(), "kind: Pod\nmetadata: {name: x}\n", "? [a]\n: b\n", "a: !!binary AAAA\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, _ := Parse("f.yaml", data)
		for _, d := range docs {
			_ = d.Resource()
			_ = d.At(Path{"spec", "template", 0, "x"})
			_, _ = d.Value()
		}
	})
}
