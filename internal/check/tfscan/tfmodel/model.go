package tfmodel

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/platform"
)

// Range is a source range.
type Range = hcl.Range

// Mode tells managed resources from data sources.
type Mode int

const (
	Managed Mode = iota
	Data
)

// Ref is a reference from an expression to a resource or data source,
// resolved through variables and locals to the module that declares it.
type Ref struct {
	Module string // module path of the referenced resource, "" for the root
	Mode   Mode
	Type   string
	Name   string
}

// Attr is one evaluated attribute. Value may be unknown (not known before
// apply) and is cty.NilVal never; an absent attribute has no Attr.
type Attr struct {
	Name  string
	Value cty.Value
	Range hcl.Range
	Refs  []Ref
}

// Block is an evaluated body: a resource body or a nested block.
type Block struct {
	Type   string
	Labels []string
	Attrs  map[string]*Attr
	Blocks []*Block
	Range  hcl.Range
	// Uncertain marks a block produced by a dynamic block whose for_each is
	// unknown: it may exist zero or more times, so rules neither count it as
	// present nor report on its values.
	Uncertain bool
}

// Provider is one provider configuration.
type Provider struct {
	Name   string // aws, azurerm
	Alias  string
	Module string
	Body   *Block
	Range  hcl.Range
}

// Resource is one instance of a resource or data block.
type Resource struct {
	Mode    Mode
	Type    string
	Name    string
	Module  string // "" for the root module, else module.a or module.a[0].module.b
	Address string // module.a.aws_s3_bucket.x["k"]
	Body    *Block
	// Provider is the configuration the instance uses, nil when none is
	// declared (the provider's defaults apply).
	Provider *Provider
}

// Range is the whole resource block.
func (r *Resource) Range() hcl.Range { return r.Body.Range }

// Config is the evaluated configuration of one root module and every local
// module it calls.
type Config struct {
	Resources []*Resource
	Providers []*Provider

	byType map[string][]*Resource
	byRef  map[Ref][]*Resource
}

// NewConfig indexes resources and providers.
func NewConfig(res []*Resource, provs []*Provider) *Config {
	c := &Config{Resources: res, Providers: provs, byType: map[string][]*Resource{}, byRef: map[Ref][]*Resource{}}
	for _, r := range res {
		if r.Mode == Managed {
			c.byType[r.Type] = append(c.byType[r.Type], r)
		} else {
			c.byType["data."+r.Type] = append(c.byType["data."+r.Type], r)
		}
		k := Ref{Module: r.Module, Mode: r.Mode, Type: r.Type, Name: r.Name}
		c.byRef[k] = append(c.byRef[k], r)
	}
	return c
}

// OfType returns the managed resource instances of a type.
func (c *Config) OfType(t string) []*Resource { return c.byType[t] }

// DataOfType returns the data source instances of a type.
func (c *Config) DataOfType(t string) []*Resource { return c.byType["data."+t] }

// Resolve returns every instance a reference points at.
func (c *Config) Resolve(ref Ref) []*Resource { return c.byRef[ref] }

// Settings are the ferry.yaml check settings rules read (required tags,
// allowed regions, naming pattern).
type Settings = platform.Checks

// Rule is a Terraform rule: its metadata and its check.
type Rule struct {
	check.Rule
	Check func(c *Config, s Settings) []check.Finding
}

// Loc converts an HCL range to a finding location.
func Loc(r hcl.Range) check.Location {
	return check.Location{File: r.Filename, Line: r.Start.Line, Column: r.Start.Column,
		EndLine: r.End.Line, EndColumn: r.End.Column}
}

// Finding reports rule on resource r at range at.
func (r *Resource) Finding(rule check.Rule, at hcl.Range, msg string) check.Finding {
	encl := Loc(r.Body.Range)
	return check.Finding{RuleID: rule.ID, Severity: rule.Severity, Message: msg,
		Location: Loc(at), Resource: r.Address, Enclosing: &encl}
}
