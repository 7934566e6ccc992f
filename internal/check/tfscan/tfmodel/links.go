package tfmodel

// RefersTo reports whether the attribute refers to the resource r (any
// instance of its block).
func (a *Attr) RefersTo(r *Resource) bool {
	if a == nil {
		return false
	}
	for _, ref := range a.Refs {
		if ref.Module == r.Module && ref.Mode == r.Mode && ref.Type == r.Type && ref.Name == r.Name {
			return true
		}
	}
	return false
}

// refersToResource reports whether the attribute refers to any resource
// or data source: its unknown value then is that object's, not the target's.
func (a *Attr) refersToResource() bool { return len(a.Refs) > 0 }

// Links are the resources of one type that point at a target resource.
type Links struct {
	// Linked point at the target by reference or by its known name.
	Linked []*Resource
	// Unresolved is true when some resource of the type points at
	// something that cannot be known before apply, so it might be the
	// target: a rule must then not report the link as missing.
	Unresolved bool
}

// Present reports whether a link certainly or possibly exists.
func (l Links) Present() bool { return len(l.Linked) > 0 || l.Unresolved }

// Linked finds the resources of type typ whose attribute attr points at
// target, by reference or by a known value equal to one of names (the
// target's known identifiers, such as a bucket name).
func (c *Config) Linked(typ, attr string, target *Resource, names ...string) Links {
	var l Links
	for _, cand := range c.OfType(typ) {
		a := cand.Body.Attr(attr)
		if a == nil {
			continue
		}
		if a.RefersTo(target) {
			l.Linked = append(l.Linked, cand)
			continue
		}
		if s, ok := AsString(a.Value); ok {
			for _, n := range names {
				if n != "" && s == n {
					l.Linked = append(l.Linked, cand)
					break
				}
			}
			continue
		}
		if !a.refersToResource() {
			l.Unresolved = true
		}
	}
	return l
}

// Certain returns the linked resources whose existence is certain.
func (l Links) Certain() []*Resource {
	var out []*Resource
	for _, r := range l.Linked {
		if !r.Body.Uncertain {
			out = append(out, r)
		}
	}
	return out
}
