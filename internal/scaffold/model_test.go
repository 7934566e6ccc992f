package scaffold

import (
	"os"
	"path/filepath"
	"testing"

	"ferry.dev/ferry/internal/platform"
)

func loadModel(t *testing.T, dir string) *platform.Platform {
	t.Helper()
	p, err := platform.Load(dir)
	if err != nil {
		t.Fatalf("load the reference ferry.yaml strictly: %v", err)
	}
	return p
}

// TestReferenceModel loads the written ferry.yaml with ferry's strict loader
// and checks the shape the brief and the demo rely on.
func TestReferenceModel(t *testing.T) {
	t.Parallel()
	dir := written(t)
	p := loadModel(t, dir)
	envTargets := map[string][]string{}
	for _, e := range p.Spec.Environments {
		for _, tg := range e.OrderedTargets() {
			ctx := ""
			if tg.Kube != nil {
				ctx = tg.Kube.Context
			}
			envTargets[e.Name] = append(envTargets[e.Name], tg.Name+"@"+ctx)
		}
	}
	want := map[string][]string{
		"dev":        {"local@ferry-local"},
		"staging":    {"k3s@ferry-local"},
		"production": {"aws@prod-aws", "azure@prod-azure"},
	}
	for env, w := range want {
		if got := envTargets[env]; len(got) != len(w) || (len(got) > 0 && got[0] != w[0]) || (len(got) > 1 && got[1] != w[1]) {
			t.Errorf("env %s targets %v, want %v", env, got, w)
		}
	}
	for _, c := range p.Spec.Components {
		for _, env := range []string{"dev", "staging", "production"} {
			if c.InputsFor(env).Skip {
				continue
			}
			path := c.PathFor(env)
			if fi, err := os.Stat(filepath.Join(dir, path)); err != nil || !fi.IsDir() {
				t.Errorf("component %s env %s: path %s is not a directory (%v)", c.Name, env, path, err)
			}
		}
	}
	skipped := map[string][]string{"aws": {"dev", "staging"}, "azure": {"dev", "staging"}, "local": {"production"}}
	for name, envs := range skipped {
		c, ok := p.Component(name)
		if !ok {
			t.Fatalf("no component %s", name)
		}
		for _, env := range envs {
			if !c.InputsFor(env).Skip {
				t.Errorf("component %s is not skipped in %s", name, env)
			}
		}
	}
	c := p.Spec.Checks
	if c.FailOn != platform.SeverityHigh || len(c.RequiredTags) != 4 || len(c.AllowedRegions) != 2 || len(c.AllowedLocations) != 2 {
		t.Errorf("checks = %+v", c)
	}
}
