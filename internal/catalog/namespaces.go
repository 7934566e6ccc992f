package catalog

import (
	"fmt"

	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/render"
)

// namespaces renders c for each environment it runs in and returns the
// namespace its objects land in there, for the environments where that is
// one namespace (objects that name none count as the component's
// namespace, if it sets one).
func (b *builder) namespaces(c platform.Component, envs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, env := range envs {
		objs, err := render.Component(b.opts.Root, b.p, c, env)
		if err != nil {
			return nil, fmt.Errorf("namespaces in %s: %w", env, err)
		}
		set := map[string]bool{}
		for _, u := range objs {
			if ns := u.GetNamespace(); ns != "" {
				set[ns] = true
			}
		}
		if len(set) == 0 && c.Namespace != "" {
			set[c.Namespace] = true
		}
		if len(set) == 1 {
			for ns := range set {
				out[env] = ns
			}
		}
	}
	return out, nil
}

// single returns the namespace when every environment has the same one.
func single(ns map[string]string) (string, bool) {
	one := ""
	for _, n := range ns {
		if one != "" && n != one {
			return "", false
		}
		one = n
	}
	return one, one != ""
}
