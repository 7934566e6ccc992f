package tagging

import (
	"regexp"
	"slices"
	"sort"
	"strings"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
)

// effectiveTags merges the AWS provider's default_tags under the
// resource's tags; known is false when either cannot be known.
func effectiveTags(r *tfmodel.Resource) (map[string]string, bool) {
	tags := map[string]string{}
	if strings.HasPrefix(r.Type, "aws_") && r.Provider != nil {
		dt, maybe := r.Provider.Body.First("default_tags")
		if maybe {
			return nil, false
		}
		if dt != nil && dt.Attr("tags") != nil {
			m, known := tfmodel.AsStringMap(dt.Attr("tags").Value)
			if !known {
				return nil, false
			}
			for k, v := range m {
				tags[k] = v
			}
		}
	}
	if a := r.Body.Attr("tags"); a != nil {
		m, known := tfmodel.AsStringMap(a.Value)
		if !known {
			return nil, false
		}
		for k, v := range m {
			tags[k] = v
		}
	}
	return tags, true
}

func checkRequiredTags(c *tfmodel.Config, s tfmodel.Settings) []check.Finding {
	if len(s.RequiredTags) == 0 {
		return nil
	}
	var out []check.Finding
	for _, r := range c.Resources {
		if !taggable(r) {
			continue
		}
		tags, known := effectiveTags(r)
		if !known {
			continue
		}
		var missing []string
		for _, k := range s.RequiredTags {
			if _, ok := tags[k]; !ok {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			out = append(out, r.Finding(rRequiredTags, r.Body.RangeOf("tags"), "missing required tags: "+strings.Join(missing, ", ")))
		}
	}
	return out
}

func checkRegions(c *tfmodel.Config, s tfmodel.Settings) []check.Finding {
	if len(s.AllowedRegions) == 0 {
		return nil
	}
	var out []check.Finding
	for _, p := range c.Providers {
		if p.Name != "aws" {
			continue
		}
		if reg, known := p.Body.String("region", ""); known && reg != "" && !slices.Contains(s.AllowedRegions, reg) {
			at := p.Body.RangeOf("region")
			encl := tfmodel.Loc(p.Range)
			out = append(out, check.Finding{RuleID: rRegion.ID, Severity: rRegion.Severity,
				Message:  "AWS provider region " + reg + " is not in allowedRegions",
				Location: tfmodel.Loc(at), Enclosing: &encl, Resource: providerAddr(p)})
		}
	}
	for _, r := range c.Resources {
		if r.Mode != tfmodel.Managed || !strings.HasPrefix(r.Type, "aws_") {
			continue
		}
		if reg, known := r.Body.String("region", ""); known && reg != "" && !slices.Contains(s.AllowedRegions, reg) {
			out = append(out, r.Finding(rRegion, r.Body.RangeOf("region"), "region "+reg+" is not in allowedRegions"))
		}
	}
	return out
}

func providerAddr(p *tfmodel.Provider) string {
	a := "provider." + p.Name
	if p.Alias != "" {
		a += "." + p.Alias
	}
	if p.Module != "" {
		a = p.Module + "." + a
	}
	return a
}

// normLocation folds "West Europe" and "westeurope" together.
func normLocation(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, " ", ""))
}

func checkLocations(c *tfmodel.Config, s tfmodel.Settings) []check.Finding {
	if len(s.AllowedLocations) == 0 {
		return nil
	}
	allowed := map[string]bool{}
	for _, l := range s.AllowedLocations {
		allowed[normLocation(l)] = true
	}
	var out []check.Finding
	for _, r := range c.Resources {
		if r.Mode != tfmodel.Managed || !strings.HasPrefix(r.Type, "azurerm_") {
			continue
		}
		if loc, known := r.Body.String("location", ""); known && loc != "" && !allowed[normLocation(loc)] {
			out = append(out, r.Finding(rLocation, r.Body.RangeOf("location"), "location "+loc+" is not in allowedLocations"))
		}
	}
	return out
}

// nameAttr is the argument holding a resource's cloud name.
func nameAttr(r *tfmodel.Resource) string {
	if r.Type == "aws_s3_bucket" {
		return "bucket"
	}
	return "name"
}

func checkNaming(c *tfmodel.Config, s tfmodel.Settings) []check.Finding {
	if s.NamingPattern == "" {
		return nil
	}
	re, err := regexp.Compile(s.NamingPattern)
	if err != nil {
		return nil // ferry.yaml validation reports a bad pattern
	}
	var out []check.Finding
	for _, r := range c.Resources {
		if !taggable(r) {
			continue
		}
		attr := nameAttr(r)
		if name, known := r.Body.String(attr, ""); known && name != "" && !re.MatchString(name) {
			out = append(out, r.Finding(rNaming, r.Body.RangeOf(attr), "name "+quote(name)+" does not match "+s.NamingPattern))
		}
	}
	return out
}

func quote(s string) string { return `"` + s + `"` }
