package scan

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"gopkg.in/yaml.v3"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// ErrRemoteBase is returned for an overlay that reaches a remote base while
// spec.security.allowRemoteBases is off.
var ErrRemoteBase = errors.New("remote kustomize bases are not allowed (spec.security.allowRemoteBases)")

// kustomizationNames are the file names kustomize looks for, in order.
var kustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// findRemote walks the kustomizations reachable from dir and returns the
// first remote reference (a URL or a go-getter style repository path), so
// rendering never makes kustomize clone or download anything.
func findRemote(fsys filesys.FileSystem, dir string, depth int) (string, error) {
	if depth > 32 {
		return "", fmt.Errorf("kustomizations nest deeper than 32 at %s", dir)
	}
	var data []byte
	for _, name := range kustomizationNames {
		if b, err := fsys.ReadFile(path.Join(dir, name)); err == nil {
			data = b
			break
		}
	}
	if data == nil {
		return "", nil // a plain file resource, or missing: kustomize reports it
	}
	var k struct {
		Resources  []string `yaml:"resources"`
		Bases      []string `yaml:"bases"`
		Components []string `yaml:"components"`
	}
	if err := yaml.Unmarshal(data, &k); err != nil {
		return "", nil // kustomize reports the syntax error
	}
	for _, ref := range append(append(k.Resources, k.Bases...), k.Components...) {
		if isRemote(ref) {
			return ref, nil
		}
		next := path.Join(dir, ref)
		if fsys.IsDir(next) {
			if r, err := findRemote(fsys, next, depth+1); r != "" || err != nil {
				return r, err
			}
		}
	}
	return "", nil
}

func isRemote(ref string) bool {
	switch {
	case strings.Contains(ref, "://"), strings.HasPrefix(ref, "git@"), strings.Contains(ref, "?ref="),
		strings.Contains(ref, "?version="), strings.HasPrefix(ref, "github.com/"), strings.HasPrefix(ref, "gitlab.com/"),
		strings.HasPrefix(ref, "bitbucket.org/"), strings.Contains(ref, ".git//"):
		return true
	}
	return false
}
