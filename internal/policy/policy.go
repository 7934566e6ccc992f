package policy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// Kinds of conftest rules.
const (
	KindDeny      = "deny"
	KindWarn      = "warn"
	KindViolation = "violation"
)

// ErrNoPolicies is returned by EvalPlan when the directories hold no policy.
var ErrNoPolicies = errors.New("no policies")

// Result is one message a policy produced.
type Result struct {
	Kind    string         `json:"kind"`    // deny, warn or violation
	Package string         `json:"package"` // e.g. main, kubernetes.security
	Rule    string         `json:"rule"`    // e.g. deny, deny_latest
	Msg     string         `json:"msg"`
	Details map[string]any `json:"details,omitempty"` // other fields of an object message
}

// Engine holds compiled policies and one prepared query per rule.
type Engine struct {
	queries []query
	files   []string
}

type query struct {
	pkg, rule, kind string
	q               rego.PreparedEvalQuery
}

// blocked builtins would let a policy from the repository reach the network
// or read the process environment.
var blocked = []string{"http.send", "net.lookup_ip_addr", "opa.runtime", "net.cidr_expand"}

// Load compiles every .rego file (tests excluded) under dirs, relative to
// root unless absolute. Missing directories are skipped; a policy that does
// not parse or compile is an error naming the file and line.
func Load(ctx context.Context, root string, dirs []string) (*Engine, error) {
	var files []string
	for _, d := range dirs {
		if !filepath.IsAbs(d) {
			d = filepath.Join(root, d)
		}
		err := filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return fs.SkipAll
				}
				return err
			}
			if e.Type().IsRegular() && strings.HasSuffix(p, ".rego") && !strings.HasSuffix(p, "_test.rego") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("load policies: %w", err)
		}
	}
	sort.Strings(files)
	return compile(ctx, root, files)
}

func compile(ctx context.Context, root string, files []string) (*Engine, error) {
	modules := map[string]*ast.Module{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("load policy: %w", err)
		}
		name := f
		if rel, err := filepath.Rel(root, f); err == nil && !strings.HasPrefix(rel, "..") {
			name = filepath.ToSlash(rel)
		}
		m, err := parseModule(name, string(src))
		if err != nil {
			return nil, fmt.Errorf("load policy: %w", err)
		}
		modules[name] = m
	}
	e := &Engine{files: slices.Sorted(maps.Keys(modules))}
	if len(modules) == 0 {
		return e, nil
	}
	caps := ast.CapabilitiesForThisVersion()
	caps.Builtins = slices.DeleteFunc(caps.Builtins, func(b *ast.Builtin) bool { return slices.Contains(blocked, b.Name) })
	c := ast.NewCompiler().WithCapabilities(caps).WithEnablePrintStatements(false)
	if c.Compile(modules); c.Failed() {
		return nil, fmt.Errorf("compile policies: %w", c.Errors)
	}
	for _, rr := range ruleRefs(modules) {
		pq, err := rego.New(rego.Compiler(c), rego.Query(rr.ref), rego.Capabilities(caps),
			rego.StrictBuiltinErrors(false)).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("prepare policy %s: %w", rr.ref, err)
		}
		e.queries = append(e.queries, query{pkg: rr.pkg, rule: rr.rule, kind: rr.kind, q: pq})
	}
	return e, nil
}

// parseModule accepts Rego v1 and, so existing conftest policies drop in,
// falls back to v0 syntax.
func parseModule(name, src string) (*ast.Module, error) {
	m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err == nil {
		return m, nil
	}
	if m0, err0 := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{RegoVersion: ast.RegoV0}); err0 == nil {
		return m0, nil
	}
	return nil, err
}

type ruleRef struct{ ref, pkg, rule, kind string }

// ruleRefs lists the conftest rules every package defines.
func ruleRefs(modules map[string]*ast.Module) []ruleRef {
	seen := map[string]bool{}
	var out []ruleRef
	for _, name := range slices.Sorted(maps.Keys(modules)) {
		m := modules[name]
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		for _, r := range m.Rules {
			rule := r.Head.Name.String()
			if rule == "" && len(r.Head.Reference) > 0 {
				rule = r.Head.Reference[0].Value.(ast.Var).String()
			}
			kind := ruleKind(rule)
			ref := "data." + pkg + "." + rule
			if kind == "" || seen[ref] {
				continue
			}
			seen[ref] = true
			out = append(out, ruleRef{ref: ref, pkg: pkg, rule: rule, kind: kind})
		}
	}
	return out
}

func ruleKind(name string) string {
	for _, k := range []string{KindDeny, KindWarn, KindViolation} {
		if name == k || strings.HasPrefix(name, k+"_") {
			return k
		}
	}
	return ""
}

// Files are the loaded policy files, relative to root where possible.
func (e *Engine) Files() []string { return e.files }

// Empty reports whether no conftest rule was loaded.
func (e *Engine) Empty() bool { return e == nil || len(e.queries) == 0 }

// Eval runs every rule on one input (already JSON-shaped, see ToValue).
func (e *Engine) Eval(ctx context.Context, input ast.Value) ([]Result, error) {
	var out []Result
	for _, q := range e.queries {
		rs, err := q.q.Eval(ctx, rego.EvalParsedInput(input))
		if err != nil {
			return nil, fmt.Errorf("eval policy data.%s.%s: %w", q.pkg, q.rule, err)
		}
		for _, r := range rs {
			for _, ex := range r.Expressions {
				out = append(out, messages(q, ex.Value)...)
			}
		}
	}
	return out, nil
}

// messages turns a rule's value (a set of strings or objects, or a single
// one) into results.
func messages(q query, v any) []Result {
	switch t := v.(type) {
	case []any:
		var out []Result
		for _, e := range t {
			out = append(out, messages(q, e)...)
		}
		return out
	case bool:
		if !t {
			return nil
		}
		return []Result{{Kind: q.kind, Package: q.pkg, Rule: q.rule, Msg: q.rule}}
	case string:
		return []Result{{Kind: q.kind, Package: q.pkg, Rule: q.rule, Msg: t}}
	case map[string]any:
		r := Result{Kind: q.kind, Package: q.pkg, Rule: q.rule, Details: map[string]any{}}
		for k, val := range t {
			if k == "msg" {
				r.Msg = fmt.Sprint(val)
				continue
			}
			r.Details[k] = val
		}
		if r.Msg == "" {
			r.Msg = fmt.Sprint(t)
		}
		if len(r.Details) == 0 {
			r.Details = nil
		}
		return []Result{r}
	case nil:
		return nil
	}
	return []Result{{Kind: q.kind, Package: q.pkg, Rule: q.rule, Msg: fmt.Sprint(v)}}
}
