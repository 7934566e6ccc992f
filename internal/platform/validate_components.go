package platform

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

func (v *validator) components() {
	seen := map[string]string{}
	for i, c := range v.p.Spec.Components {
		base := fmt.Sprintf("spec.components[%d]", i)
		if v.name(base+".name", c.Name) {
			v.dup(seen, base+".name", "component", c.Name)
		}
		switch c.Type {
		case Terraform, Kustomize, Helm, Manifests:
		case "":
			v.addf(base+".type", "type is required (terraform, kustomize, helm or manifests)")
		default:
			v.addf(base+".type", "type %q is invalid (want terraform, kustomize, helm or manifests)", c.Type)
		}
		if c.Path == "" {
			v.addf(base+".path", "path is required")
		} else {
			v.repoPath(base+".path", c.Path, true)
		}
		for j, dep := range c.DependsOn {
			dp := fmt.Sprintf("%s.dependsOn[%d]", base, j)
			if dep == c.Name {
				v.addf(dp, "component %q depends on itself", dep)
			} else if !v.comps[dep] {
				v.addf(dp, "component %q is not declared", dep)
			}
		}
		v.inputs(base, c)
	}
	v.cycles()
}

func (v *validator) inputs(base string, c Component) {
	envs := make([]string, 0, len(c.Inputs))
	for env := range c.Inputs {
		envs = append(envs, env)
	}
	sort.Strings(envs)
	for _, env := range envs {
		in := c.Inputs[env]
		ib := joinPath(base+".inputs", env)
		v.env(ib, env)
		if in.Path != "" {
			v.repoPath(ib+".path", in.Path, true)
		}
		for j, f := range in.VarFiles {
			v.repoPath(fmt.Sprintf("%s.varFiles[%d]", ib, j), f, false)
		}
		for j, f := range in.ValuesFiles {
			v.repoPath(fmt.Sprintf("%s.valuesFiles[%d]", ib, j), f, false)
		}
	}
}

// repoPath checks a path relative to the repository root: not absolute, not
// escaping (also through symlinks), existing, and a directory or a file.
// Without a repository directory only the first two are checked.
func (v *validator) repoPath(at, p string, wantDir bool) {
	if err := relInside(p); err != nil {
		v.addf(at, "%v", err)
		return
	}
	if v.p.Dir == "" {
		return
	}
	full := filepath.Join(v.p.Dir, filepath.FromSlash(p))
	st, err := os.Stat(full)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		v.addf(at, "path %q does not exist in the repository", p)
		return
	case err != nil:
		v.addf(at, "path %q: %v", p, errors.Unwrap(err))
		return
	case wantDir && !st.IsDir():
		v.addf(at, "path %q is not a directory", p)
		return
	case !wantDir && st.IsDir():
		v.addf(at, "path %q is a directory, want a file", p)
		return
	}
	root, err1 := filepath.EvalSymlinks(v.p.Dir)
	real, err2 := filepath.EvalSymlinks(full)
	if err1 == nil && err2 == nil && real != root && !strings.HasPrefix(real, root+string(filepath.Separator)) {
		v.addf(at, "path %q resolves outside the repository (symlink)", p)
	}
}

// relInside reports a path that is absolute or climbs out of the repository.
func relInside(p string) error {
	slash := filepath.ToSlash(p)
	if filepath.IsAbs(p) || strings.HasPrefix(slash, "/") {
		return fmt.Errorf("path %q must be relative to the repository root", p)
	}
	if c := path.Clean(slash); c == ".." || strings.HasPrefix(c, "../") {
		return fmt.Errorf("path %q leaves the repository", p)
	}
	return nil
}

// cycles reports each dependsOn cycle once, as "a -> b -> a", at the
// dependsOn of the cycle's first-declared component.
func (v *validator) cycles() {
	comps := v.p.Spec.Components
	index := map[string]int{}
	for i, c := range comps {
		if _, dup := index[c.Name]; !dup {
			index[c.Name] = i
		}
	}
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(comps))
	var stack []int
	reported := map[string]bool{}
	var visit func(i int)
	visit = func(i int) {
		color[i] = grey
		stack = append(stack, i)
		for _, dep := range comps[i].DependsOn {
			j, ok := index[dep]
			if !ok || j == i {
				continue // reported as unknown or self-dependency
			}
			switch color[j] {
			case white:
				visit(j)
			case grey:
				v.reportCycle(cycleFrom(stack, j), reported)
			}
		}
		stack = stack[:len(stack)-1]
		color[i] = black
	}
	for i := range comps {
		if color[i] == white {
			visit(i)
		}
	}
}

// cycleFrom returns the stack from component j to the top.
func cycleFrom(stack []int, j int) []int {
	for k, i := range stack {
		if i == j {
			return append([]int(nil), stack[k:]...)
		}
	}
	return nil
}

func (v *validator) reportCycle(cyc []int, reported map[string]bool) {
	if len(cyc) == 0 {
		return
	}
	start := 0 // rotate so the first-declared component leads
	for k, i := range cyc {
		if i < cyc[start] {
			start = k
		}
	}
	cyc = append(cyc[start:], cyc[:start]...)
	names := make([]string, 0, len(cyc)+1)
	for _, i := range cyc {
		names = append(names, v.p.Spec.Components[i].Name)
	}
	names = append(names, names[0])
	key := strings.Join(names, " -> ")
	if reported[key] {
		return
	}
	reported[key] = true
	v.addf(fmt.Sprintf("spec.components[%d].dependsOn", cyc[0]), "dependency cycle: %s", key)
}
