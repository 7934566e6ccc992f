package scan

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/platform"
	ferryrender "ferry.dev/ferry/internal/render"
)

// TestValidateAndSyncAgree: ferry validate (this package, from the files
// the walk read) and ferry sync (internal/render, from the checkout) judge
// every overlay the same way: what one refuses the other refuses, for the
// same reason, and what one renders the other renders.
func TestValidateAndSyncAgree(t *testing.T) {
	t.Parallel()
	overlays := []struct{ name, kustomization, file string }{
		{"local base", "resources:\n  - ../../base\n", ""},
		{"codeberg base", "resources:\n  - ../../base\n  - codeberg.org/team/manifests//web?ref=v1\n", ""},
		{"github base", "resources:\n  - ../../base\n  - github.com/example/manifests//web\n", ""},
		{"https resource", "resources:\n  - ../../base\n  - https://example.com/web.yaml\n", ""},
		{"git scheme", "resources:\n  - ../../base\n  - git::https://example.com/repo.git//web\n", ""},
		{"helmCharts", "resources:\n  - ../../base\nhelmCharts:\n  - {name: redis, repo: https://charts.example.com}\n", ""},
		{"missing base", "resources:\n  - ../../missing\n", ""},
		{"file named Kustomization", "resources:\n  - ../../base\n  - codeberg.org/team/manifests//web\n", "Kustomization"},
	}
	for _, o := range overlays {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			dir := copyTree(t, "testdata/platform")
			if o.file != "" {
				if err := os.Remove(filepath.Join(dir, "apps/web/overlays/dev/kustomization.yaml")); err != nil {
					t.Fatal(err)
				}
				write(t, dir, "apps/web/overlays/dev/"+o.file, o.kustomization)
			} else {
				write(t, dir, "apps/web/overlays/dev/kustomization.yaml", o.kustomization)
			}
			res, err := Run(context.Background(), Options{Root: dir, Env: "dev"})
			if err != nil {
				t.Fatal(err)
			}
			p, err := platform.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			var web platform.Component
			for _, c := range p.Spec.Components {
				if c.Name == "web" {
					web = c
				}
			}
			objs, syncErr := ferryrender.Component(dir, p, web, "dev")
			refused := find(res.Findings, check.RuleRender, "apps/web/overlays/dev/kustomization.yaml")
			if (syncErr != nil) != (len(refused) > 0) {
				t.Fatalf("sync error %v, validate render findings %+v", syncErr, refused)
			}
			if errors.Is(syncErr, ferryrender.ErrRemoteRefused) {
				if want := ferryrender.ErrRemoteRefused.Error(); !strings.Contains(refused[0].Message, want) {
					t.Errorf("validate says %q, want the sync error's %q", refused[0].Message, want)
				}
			}
			if syncErr == nil && len(objs) == 0 {
				t.Fatal("sync rendered nothing")
			}
		})
	}
}
