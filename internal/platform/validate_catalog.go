package platform

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Backstage's own formats (catalog-model's KubernetesValidatorFunctions and
// CommonValidatorFunctions): an entity name is up to 63 characters of
// letters and digits separated by single '-', '_' or '.'; a namespace is a
// DNS label; a kind starts with a letter.
var (
	entityName = regexp.MustCompile(`^([A-Za-z0-9]+[-_.])*[A-Za-z0-9]+$`)
	entityKind = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)
	lifecycle  = regexp.MustCompile(`^[A-Za-z0-9]+([-_.][A-Za-z0-9]+)*$`)
)

// CheckEntityName reports a name Backstage refuses as an entity name.
func CheckEntityName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("name is required")
	case len(name) > 63:
		return fmt.Errorf("%q is longer than 63 characters", name)
	case !entityName.MatchString(name):
		return fmt.Errorf("%q is not a Backstage entity name: letters and digits, separated by single '-', '_' or '.'", name)
	}
	return nil
}

// checkOwnerRef checks a Backstage entity reference to an owner:
// [kind:][namespace/]name, the kind (when written) group or user.
func checkOwnerRef(ref string) error {
	rest := ref
	if kind, after, ok := strings.Cut(rest, ":"); ok {
		if !entityKind.MatchString(kind) {
			return fmt.Errorf("owner %q: kind %q is invalid", ref, kind)
		}
		if k := strings.ToLower(kind); k != "group" && k != "user" {
			return fmt.Errorf("owner %q: an owner is a group or a user, not a %s", ref, kind)
		}
		rest = after
	}
	if ns, name, ok := strings.Cut(rest, "/"); ok {
		if checkDNSLabel(ns) != nil {
			return fmt.Errorf("owner %q: namespace %q is not a DNS label", ref, ns)
		}
		rest = name
	}
	if err := CheckEntityName(rest); err != nil {
		return fmt.Errorf("owner %q: %w", ref, err)
	}
	return nil
}

func checkLifecycle(l string) error {
	if len(l) > 63 || !lifecycle.MatchString(l) {
		return fmt.Errorf("lifecycle %q is invalid: a word such as experimental, production or deprecated", l)
	}
	return nil
}

func (v *validator) catalog() {
	c := v.p.Spec.Catalog
	if c.System != v.p.Metadata.Name { // the default: checked as metadata.name
		if err := CheckEntityName(c.System); err != nil {
			v.addf("spec.catalog.system", "system %v", err)
		}
	}
	if err := checkOwnerRef(c.Owner); err != nil {
		v.addf("spec.catalog.owner", "%v", err)
	}
	if err := checkLifecycle(c.Lifecycle); err != nil {
		v.addf("spec.catalog.lifecycle", "%v", err)
	}
	if c.Server != "" {
		if err := checkServerURL(c.Server); err != nil {
			v.addf("spec.catalog.server", "%v", err)
		}
	}
	for i, comp := range v.p.Spec.Components {
		base := fmt.Sprintf("spec.components[%d]", i)
		if comp.Owner != c.Owner { // the catalog's own is reported once, above
			if err := checkOwnerRef(comp.Owner); err != nil {
				v.addf(base+".owner", "%v", err)
			}
		}
		if comp.Lifecycle != c.Lifecycle {
			if err := checkLifecycle(comp.Lifecycle); err != nil {
				v.addf(base+".lifecycle", "%v", err)
			}
		}
		if strings.ContainsAny(comp.Description, "\n\r") {
			v.addf(base+".description", "description is one line")
		}
	}
}

// checkServerURL: an absolute http(s) URL without credentials, query or
// fragment (it is published in the catalog).
func checkServerURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fmt.Errorf("server is not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("server %q must be an http or https URL", s)
	case u.Host == "":
		return fmt.Errorf("server %q has no host", s)
	case u.User != nil:
		return fmt.Errorf("server URL must not carry credentials (it is published in the catalog)")
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("server %q must not have a query or fragment", s)
	}
	return nil
}
