package tfscan

import (
	"errors"
	"regexp"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Evaluation budgets. HCL cannot interrupt an evaluation, so work is
// bounded where it can grow faster than the source: for expressions
// (nested ones multiply), setproduct and format widths. An expression
// that exceeds a budget is unknown, like any expression that fails.
const (
	maxIterations = 100_000 // for-expression elements per root module
	maxProduct    = 100_000
)

// guardFunc is the function wrapped around every for expression's
// collection at parse time.
const guardFunc = "__ferry_for_budget"

var errBudget = errors.New("evaluation budget exceeded")

// guardForExprs wraps the collection of every for expression in body with
// the budget guard, so each iteration of an outer loop pays for the inner
// collection it walks.
func guardForExprs(body *hclsyntax.Body) {
	hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
		if f, ok := n.(*hclsyntax.ForExpr); ok {
			if call, wrapped := f.CollExpr.(*hclsyntax.FunctionCallExpr); !wrapped || call.Name != guardFunc {
				f.CollExpr = &hclsyntax.FunctionCallExpr{Name: guardFunc, Args: []hclsyntax.Expression{f.CollExpr},
					NameRange: f.CollExpr.Range(), OpenParenRange: f.CollExpr.Range(), CloseParenRange: f.CollExpr.Range()}
			}
		}
		return nil
	})
}

// budgetFunc charges the length of each for-expression collection against
// one shared budget.
func budgetFunc(remaining *int) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "collection", Type: cty.DynamicPseudoType, AllowUnknown: true,
			AllowNull: true, AllowDynamicType: true, AllowMarked: true}},
		Type: func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v := args[0]
			if v.IsKnown() && !v.IsNull() && v.CanIterateElements() {
				*remaining -= v.LengthInt()
				if *remaining < 0 {
					return cty.DynamicVal, errBudget
				}
			}
			return v, nil
		},
	})
}

// setProductFunc is setproduct with a bound on the result's size.
var setProductFunc = function.New(&function.Spec{
	VarParam: &function.Parameter{Name: "sets", Type: cty.DynamicPseudoType},
	Type: func(args []cty.Value) (cty.Type, error) {
		return stdlib.SetProductFunc.ReturnType(argTypes(args))
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		n := 1
		for _, a := range args {
			if !a.IsKnown() || !a.CanIterateElements() {
				return stdlib.SetProductFunc.Call(args)
			}
			if n *= a.LengthInt(); n > maxProduct {
				return cty.DynamicVal, errBudget
			}
		}
		return stdlib.SetProductFunc.Call(args)
	},
})

func argTypes(args []cty.Value) []cty.Type {
	ts := make([]cty.Type, len(args))
	for i, a := range args {
		ts[i] = a.Type()
	}
	return ts
}

// hugeWidth finds format verbs with a width or precision of 5+ digits.
var hugeWidth = regexp.MustCompile(`%[-+# 0]*(\d{5,}|\d*\.\d{5,})`)

// boundedFormat rejects format strings asking for enormous padding.
func boundedFormat(f function.Function) function.Function {
	spec := &function.Spec{
		Params:   f.Params(),
		VarParam: f.VarParam(),
		Type:     func(args []cty.Value) (cty.Type, error) { return f.ReturnType(argTypes(args)) },
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if len(args) > 0 && args[0].IsKnown() && !args[0].IsNull() && args[0].Type() == cty.String &&
				hugeWidth.MatchString(args[0].AsString()) {
				return cty.DynamicVal, errBudget
			}
			return f.Call(args)
		},
	}
	return function.New(spec)
}

// boundedIndent is indent with at most 1,000 spaces, so a number in the
// source cannot demand gigabytes of padding.
var boundedIndent = function.New(&function.Spec{
	Params: stdlib.IndentFunc.Params(),
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if n, _ := args[0].AsBigFloat().Int64(); n < 0 || n > 1000 {
			return cty.UnknownVal(cty.String), errBudget
		}
		return stdlib.IndentFunc.Call(args)
	},
})
