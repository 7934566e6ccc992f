package render

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// hookAnnotation marks Helm hook templates, which ferry does not render.
const hookAnnotation = "helm.sh/hook"

// renderHelm templates the local chart in dir with the values files merged in
// order over the chart's defaults. It never contacts a cluster or a chart
// repository and runs no post-renderer.
func renderHelm(src Source, dir string, opts Options) ([]*unstructured.Unstructured, error) {
	chrt, err := loader.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("helm load %s: %w", src.Path, err)
	}
	if err := checkDependencies(chrt, opts); err != nil {
		return nil, fmt.Errorf("helm chart %s: %w", src.Path, err)
	}
	vals := map[string]any{}
	for _, vf := range src.ValuesFiles {
		p, err := inside(src.Root, vf)
		if err != nil {
			return nil, fmt.Errorf("helm values %s: %w", vf, err)
		}
		v, err := chartutil.ReadValuesFile(p)
		if err != nil {
			return nil, fmt.Errorf("helm values %s: %w", vf, err)
		}
		vals = chartutil.CoalesceTables(v.AsMap(), vals)
	}
	name := src.Name
	if name == "" {
		name = chrt.Name()
	}
	ns := src.Namespace
	if ns == "" {
		ns = "default"
	}
	rv, err := chartutil.ToRenderValues(chrt, vals, chartutil.ReleaseOptions{
		Name: name, Namespace: ns, Revision: 1, IsInstall: true,
	}, chartutil.DefaultCapabilities)
	if err != nil {
		return nil, fmt.Errorf("helm values %s: %w", src.Path, err)
	}
	files, err := engine.Render(chrt, rv)
	if err != nil {
		return nil, fmt.Errorf("helm template %s: %w", src.Path, err)
	}
	var objs []*unstructured.Unstructured
	for _, crd := range chrt.CRDObjects() {
		got, err := ParseManifests(crd.File.Data, crd.Filename)
		if err != nil {
			return nil, fmt.Errorf("helm template %s: %w", src.Path, err)
		}
		objs = append(objs, got...)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		base := filepath.Base(n)
		if strings.HasPrefix(base, "_") || strings.HasSuffix(n, "NOTES.txt") || strings.TrimSpace(files[n]) == "" {
			continue
		}
		got, err := ParseManifests([]byte(files[n]), n)
		if err != nil {
			return nil, fmt.Errorf("helm template %s: %w", src.Path, err)
		}
		for _, o := range got {
			if _, hook := o.GetAnnotations()[hookAnnotation]; hook {
				continue
			}
			if o.GetNamespace() == "" && src.Namespace != "" {
				// helm install sets the release namespace on namespaced
				// objects; package kube corrects cluster-scoped ones.
				o.SetNamespace(src.Namespace)
			}
			objs = append(objs, o)
		}
	}
	return objs, nil
}

// checkDependencies refuses dependencies that are declared but not vendored
// under charts/: rendering would need a chart repository.
func checkDependencies(chrt *chart.Chart, opts Options) error {
	have := map[string]bool{}
	for _, d := range chrt.Dependencies() {
		have[d.Name()] = true
	}
	for _, d := range chrt.Metadata.Dependencies {
		if have[d.Name] {
			continue
		}
		if strings.HasPrefix(d.Repository, "file://") || d.Repository == "" {
			return fmt.Errorf("dependency %q is not vendored under charts/ (run helm dependency build)", d.Name)
		}
		if !opts.AllowRemoteCharts {
			return fmt.Errorf("%w: dependency %q from %s (set spec.security.allowRemoteCharts to allow)",
				ErrRemoteRefused, d.Name, d.Repository)
		}
		return fmt.Errorf("dependency %q from %s is not vendored under charts/ (run helm dependency build)", d.Name, d.Repository)
	}
	return nil
}
