package render

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"ferry.dev/ferry/internal/platform"
)

// Options switch risky features on; the zero value is the safe default.
type Options struct {
	AllowRemoteBases  bool
	AllowRemoteCharts bool
}

// OptionsFor returns the options a platform's security section allows.
func OptionsFor(p *platform.Platform) Options {
	return Options{
		AllowRemoteBases:  p.Spec.Security.AllowRemoteBases,
		AllowRemoteCharts: p.Spec.Security.AllowRemoteCharts,
	}
}

// Source is what to render: a component path inside a repository root.
type Source struct {
	Type platform.ComponentType
	// Root is the repository root; nothing outside it is read.
	Root string
	// Path is the directory to render, relative to Root.
	Path string
	// ValuesFiles are Helm values files relative to Root, merged in order.
	ValuesFiles []string
	// Name is the Helm release name (the component name).
	Name string
	// Namespace is the Helm release namespace.
	Namespace string
}

// ErrOutsideRepo is returned for a path that leaves the repository root.
var ErrOutsideRepo = errors.New("path outside the repository")

// ErrRemoteRefused is returned for a remote base or chart the platform does
// not allow.
var ErrRemoteRefused = errors.New("remote source refused")

// Component renders one component of p for env, reading the repository at
// root (which may be a worktree of another revision than p.Dir). Every
// object, and every workload's pod template, carries the label
// backstage.io/kubernetes-id: <component>.
func Component(root string, p *platform.Platform, c platform.Component, env string) ([]*unstructured.Unstructured, error) {
	in := c.Inputs[env]
	path := c.Path
	if in.Path != "" {
		path = in.Path
	}
	src := Source{Type: c.Type, Root: root, Path: path, ValuesFiles: in.ValuesFiles, Name: c.Name, Namespace: c.Namespace}
	objs, err := Render(src, OptionsFor(p))
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", c.Name, err)
	}
	labelComponent(objs, c.Name)
	return objs, nil
}

// Render renders src.
func Render(src Source, opts Options) ([]*unstructured.Unstructured, error) {
	root, err := realPath(src.Root)
	if err != nil {
		return nil, err
	}
	src.Root = root
	dir, err := inside(root, src.Path)
	if err != nil {
		return nil, err
	}
	var objs []*unstructured.Unstructured
	switch src.Type {
	case platform.Kustomize:
		objs, err = renderKustomize(src.Root, dir, opts)
	case platform.Helm:
		objs, err = renderHelm(src, dir, opts)
	case platform.Manifests:
		objs, err = renderManifests(src.Root, dir)
	default:
		return nil, fmt.Errorf("render %s: unsupported component type %q", src.Path, src.Type)
	}
	if err != nil {
		return nil, err
	}
	Sort(objs)
	return objs, nil
}

// inside joins root and rel and checks that the result, with symlinks
// resolved, stays inside root.
func inside(root, rel string) (string, error) {
	if filepath.IsAbs(rel) {
		return "", fmt.Errorf("%w: %s is absolute", ErrOutsideRepo, rel)
	}
	realRoot, err := realPath(root)
	if err != nil {
		return "", err
	}
	p := filepath.Join(realRoot, rel)
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", rel, err)
	}
	if real != realRoot && !strings.HasPrefix(real, realRoot+string(os.PathSeparator)) {
		return "", fmt.Errorf("%w: %s", ErrOutsideRepo, rel)
	}
	return real, nil
}

// realPath makes p absolute with symlinks resolved.
func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("resolve root: %w", err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("resolve root: %w", err)
	}
	return real, nil
}

// kindOrder puts what other objects need first.
var kindOrder = map[string]int{
	"Namespace":                0,
	"CustomResourceDefinition": 1,
	"PriorityClass":            2,
	"StorageClass":             2,
	"ClusterRole":              3,
	"ClusterRoleBinding":       4,
	"ServiceAccount":           5,
	"Role":                     6,
	"RoleBinding":              7,
	"ResourceQuota":            8,
	"LimitRange":               8,
	"NetworkPolicy":            9,
	"Secret":                   10,
	"ConfigMap":                11,
	"PersistentVolumeClaim":    12,
	"Service":                  13,
}

func kindRank(k string) int {
	if r, ok := kindOrder[k]; ok {
		return r
	}
	return 100
}

// Sort orders objects stably: by kind rank, then kind, group, namespace, name.
func Sort(objs []*unstructured.Unstructured) {
	sort.SliceStable(objs, func(i, j int) bool {
		a, b := objs[i], objs[j]
		if ra, rb := kindRank(a.GetKind()), kindRank(b.GetKind()); ra != rb {
			return ra < rb
		}
		if a.GetKind() != b.GetKind() {
			return a.GetKind() < b.GetKind()
		}
		ga, gb := a.GroupVersionKind().Group, b.GroupVersionKind().Group
		if ga != gb {
			return ga < gb
		}
		if a.GetNamespace() != b.GetNamespace() {
			return a.GetNamespace() < b.GetNamespace()
		}
		return a.GetName() < b.GetName()
	})
}
