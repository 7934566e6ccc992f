package terraform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// Output is one Terraform output. Value is the JSON value; for sensitive
// outputs it is kept out of JSON encodings and String.
type Output struct {
	Sensitive bool            `json:"sensitive"`
	Value     json.RawMessage `json:"-"`
}

// String never shows a sensitive value.
func (o Output) String() string {
	if o.Sensitive {
		return "(sensitive)"
	}
	return string(o.Value)
}

// Outputs are a stack's outputs by name.
type Outputs map[string]Output

// Outputs inits the stack and reads its current outputs.
func (r *Runner) Outputs(ctx context.Context, s Stack) (Outputs, error) {
	tf, err := r.Init(ctx, s)
	if err != nil {
		return nil, err
	}
	return r.outputs(ctx, tf, s)
}

func (r *Runner) outputs(ctx context.Context, tf *tfexec.Terraform, s Stack) (Outputs, error) {
	meta, err := tf.Output(ctx)
	if err != nil {
		return nil, r.redact(s, fmt.Errorf("outputs %s: %w", s.Component, err))
	}
	out := Outputs{}
	for k, m := range meta {
		out[k] = Output{Sensitive: m.Sensitive, Value: m.Value}
	}
	return out, nil
}

// Exported is the subset of outputs a component exports, as strings ready
// for a ConfigMap (plain) or a Secret (sensitive): strings are unquoted,
// other values stay JSON.
type Exported struct {
	Plain     map[string]string
	Sensitive map[string]string
}

// Export picks the named outputs. A name with no output is an error: the
// component promised it to its dependants.
func (o Outputs) Export(names []string) (Exported, error) {
	e := Exported{Plain: map[string]string{}, Sensitive: map[string]string{}}
	var missing []string
	for _, n := range names {
		out, ok := o[n]
		if !ok {
			missing = append(missing, n)
			continue
		}
		var buf bytes.Buffer
		v := string(out.Value)
		if json.Compact(&buf, out.Value) == nil {
			v = buf.String()
		}
		var s string
		if json.Unmarshal(out.Value, &s) == nil {
			v = s
		}
		if out.Sensitive {
			e.Sensitive[n] = v
		} else {
			e.Plain[n] = v
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return e, fmt.Errorf("export outputs: no output %s", strings.Join(missing, ", "))
	}
	return e, nil
}
