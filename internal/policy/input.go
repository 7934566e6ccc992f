package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
)

// maxInputDepth guards the conversion against pathological nesting.
const maxInputDepth = 200

// ToValue converts a decoded document (maps, slices, scalars as produced
// by YAML or JSON decoding) into an OPA value. Keys that are not strings are
// formatted; NaN and infinities become strings, since JSON has neither.
func ToValue(v any) (ast.Value, error) {
	norm, err := normalize(v, 0)
	if err != nil {
		return nil, err
	}
	val, err := ast.InterfaceToValue(norm)
	if err != nil {
		return nil, fmt.Errorf("convert policy input: %w", err)
	}
	return val, nil
}

func normalize(v any, depth int) (any, error) {
	if depth > maxInputDepth {
		return nil, fmt.Errorf("convert policy input: nested deeper than %d", maxInputDepth)
	}
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			n, err := normalize(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			n, err := normalize(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(k)] = n
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			n, err := normalize(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return fmt.Sprint(t), nil
		}
		return t, nil
	case float32:
		return normalize(float64(t), depth)
	case time.Time:
		return t.UTC().Format(time.RFC3339Nano), nil
	case []byte:
		return string(t), nil
	case nil, string, bool, int, int64, int32, uint64, uint32, json.Number:
		return t, nil
	}
	return fmt.Sprint(v), nil
}

// EvalPlan evaluates the policies under dirs on a Terraform plan in JSON
// (`terraform show -json`), as conftest does; it is what the deploy engine
// calls before an apply. ErrNoPolicies when dirs hold no policy.
func EvalPlan(ctx context.Context, dirs []string, planJSON []byte) ([]Result, error) {
	e, err := Load(ctx, "", dirs)
	if err != nil {
		return nil, err
	}
	if e.Empty() {
		return nil, ErrNoPolicies
	}
	return e.EvalPlan(ctx, planJSON)
}

// EvalPlan evaluates loaded policies on a Terraform plan in JSON.
func (e *Engine) EvalPlan(ctx context.Context, planJSON []byte) ([]Result, error) {
	dec := json.NewDecoder(bytes.NewReader(planJSON))
	dec.UseNumber()
	var plan any
	if err := dec.Decode(&plan); err != nil {
		return nil, fmt.Errorf("eval plan policies: decode plan json: %w", err)
	}
	in, err := ToValue(plan)
	if err != nil {
		return nil, fmt.Errorf("eval plan policies: %w", err)
	}
	return e.Eval(ctx, in)
}
