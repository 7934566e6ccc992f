package render

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// renderKustomize builds the kustomization in dir with krusty: plugins off,
// files restricted to the kustomization root (bases may be anywhere inside
// the repository), every read confined to root.
func renderKustomize(root, dir string, opts Options) ([]*unstructured.Unstructured, error) {
	fs := newConfinedFS(root) // Render resolved root
	if opts.AllowRemoteBases {
		// A remote base is cloned into a temporary directory outside the
		// repository; reading it needs the unconfined filesystem.
		fs = unconfinedFS()
	}
	return Kustomization(fs, root, dir, opts)
}

// Kustomization builds the kustomization at dir of fsys, a filesystem
// whose repository root is root: ferry sync reads a checkout through a
// confined on-disk filesystem, ferry validate the files its walk read,
// in memory. Both judge remote references by the same rule, build with the
// same options and get the same objects.
func Kustomization(fsys filesys.FileSystem, root, dir string, opts Options) ([]*unstructured.Unstructured, error) {
	if !opts.AllowRemoteBases {
		if err := refuseRemotes(fsys, root, dir, map[string]bool{}); err != nil {
			return nil, err
		}
	}
	k := krusty.MakeKustomizer(&krusty.Options{
		Reorder:          krusty.ReorderOptionNone,
		LoadRestrictions: types.LoadRestrictionsRootOnly,
		PluginConfig:     types.DisabledPluginConfig(),
	})
	rm, err := k.Run(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", rel(root, dir), err)
	}
	var objs []*unstructured.Unstructured
	for _, r := range rm.Resources() {
		js, err := r.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("kustomize build %s: %w", rel(root, dir), err)
		}
		m, err := toMap(js)
		if err != nil {
			return nil, fmt.Errorf("kustomize build %s: %w", rel(root, dir), err)
		}
		u := &unstructured.Unstructured{Object: m}
		if err := checkObject(u); err != nil {
			return nil, fmt.Errorf("kustomize build %s: %w", rel(root, dir), err)
		}
		objs = append(objs, u)
	}
	return objs, nil
}

func rel(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil {
		return r
	}
	return p
}

// kustomizationRefs are the fields of a kustomization that name other
// kustomizations or files to load.
type kustomizationRefs struct {
	Resources  []string `json:"resources"`
	Bases      []string `json:"bases"`
	Components []string `json:"components"`
	HelmCharts []any    `json:"helmCharts"`
}

// KustomizationNames are the file names kustomize reads a kustomization
// from, in the order it looks for them.
var KustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// refuseRemotes walks the kustomization graph from dir and fails on the first
// reference that is not a path inside root: kustomize would otherwise clone a
// Git repository or fetch a URL while building.
func refuseRemotes(fsys filesys.FileSystem, root, dir string, seen map[string]bool) error {
	if seen[dir] {
		return nil
	}
	seen[dir] = true
	var data []byte
	var name string
	for _, n := range KustomizationNames {
		b, err := fsys.ReadFile(filepath.Join(dir, n))
		if err == nil {
			data, name = b, n
			break
		}
	}
	if data == nil {
		return nil // not a kustomization; krusty reports what is wrong
	}
	var k kustomizationRefs
	if err := yaml.Unmarshal(data, &k); err != nil {
		return fmt.Errorf("kustomize build %s: parse %s: %w", rel(root, dir), name, err)
	}
	if len(k.HelmCharts) > 0 {
		return fmt.Errorf("kustomize build %s: helmCharts needs the helm binary (an exec plugin): %w; use a component of type helm",
			rel(root, dir), ErrRemoteRefused)
	}
	refs := append(append(append([]string{}, k.Resources...), k.Bases...), k.Components...)
	for _, r := range refs {
		if IsRemote(r) {
			return fmt.Errorf("kustomize build %s: %w: %q (set spec.security.allowRemoteBases to allow)",
				rel(root, dir), ErrRemoteRefused, r)
		}
		p := filepath.Clean(filepath.Join(dir, r))
		// CleanedAbs resolves symlinks; the confined filesystem refuses
		// a path that leaves root.
		real, _, err := fsys.CleanedAbs(p)
		if errors.Is(err, ErrOutsideRepo) {
			return fmt.Errorf("kustomize build %s: %w: %s", rel(root, dir), ErrOutsideRepo, r)
		}
		if err != nil || !fsys.IsDir(p) {
			continue // a file, or missing: krusty reads or reports it
		}
		if err := refuseRemotes(fsys, root, string(real), seen); err != nil {
			return err
		}
	}
	return nil
}

// IsRemote reports whether a kustomization reference is a URL or a Git
// repository spec rather than a local path.
func IsRemote(ref string) bool {
	if strings.Contains(ref, "://") || strings.HasPrefix(ref, "git@") || strings.HasPrefix(ref, "git::") ||
		strings.Contains(ref, "?ref=") || strings.Contains(ref, "?version=") {
		return true
	}
	first, _, _ := strings.Cut(ref, "/")
	// A first path segment that is a host name (github.com/org/repo).
	return strings.Contains(first, ".") && first != "." && first != ".." && !strings.HasSuffix(first, ".yaml") &&
		!strings.HasSuffix(first, ".yml") && !strings.HasSuffix(first, ".json") && strings.Contains(ref, "/")
}
