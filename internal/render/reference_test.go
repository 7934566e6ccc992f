package render

import (
	"path/filepath"
	"testing"

	"ferry.dev/ferry/internal/platform"
)

// TestReferencePlatform renders every kubernetes component of the reference
// platform for every environment and compares with golden files.
func TestReferencePlatform(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", "..", "examples", "platform"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := platform.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, env := range p.Spec.Environments {
		for _, c := range p.ComponentOrder() {
			if c.Type == platform.Terraform || c.Inputs[env.Name].Skip {
				continue
			}
			objs, err := Component(root, p, c, env.Name)
			if err != nil {
				t.Fatalf("%s/%s: %v", env.Name, c.Name, err)
			}
			if len(objs) == 0 {
				t.Fatalf("%s/%s rendered nothing", env.Name, c.Name)
			}
			golden(t, "reference/"+env.Name+"-"+c.Name, toYAML(t, objs))
			n++
		}
	}
	if n == 0 {
		t.Fatal("no kubernetes components in the reference platform")
	}
}
