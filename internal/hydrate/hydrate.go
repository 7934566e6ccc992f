package hydrate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/git"
)

// Trailers of a hydrate commit.
const (
	TrailerHydrate  = "Ferry-Hydrate"  // the environment
	TrailerRevision = "Ferry-Revision" // the source revision rendered
	TrailerVersion  = "Ferry-Version"  // its release version, when tagged
)

// DefaultBranch is the branch an environment is hydrated to by default.
func DefaultBranch(env string) string { return "env/" + env }

// Options say where a hydrate commit goes.
type Options struct {
	// Branch is the branch to commit to (default env/<name>).
	Branch string
	// Remote, when set, is the source of truth: the commit goes on top of
	// its branch and is pushed (never forced); the local branch follows.
	Remote string
	// Source says where the revision came from (deployed, lane, ref), for
	// the result.
	Source string
}

// Result is what Hydrate did.
type Result struct {
	Env      string   `json:"env"`
	Branch   string   `json:"branch"`
	Revision string   `json:"revision"`
	Version  string   `json:"version,omitempty"`
	Source   string   `json:"source,omitempty"`
	Commit   string   `json:"commit"`  // the branch's head afterwards
	Changed  bool     `json:"changed"` // false: the branch already held these manifests
	Pushed   bool     `json:"pushed"`
	Files    []string `json:"files"`
	Objects  int      `json:"objects"`
	Notes    []string `json:"notes,omitempty"`
}

// Hydrate commits m's manifests to the branch: a new commit when they
// differ from the branch's head, none when they are equal. The branch moves
// by compare-and-swap (or a non-force push), so a killed run leaves it at
// its old or its new commit and a concurrent one cannot be overwritten.
func Hydrate(ctx context.Context, repo *git.Repo, m *deploy.Manifests, o Options) (*Result, error) {
	if o.Branch == "" {
		o.Branch = DefaultBranch(m.Env)
	}
	if err := git.ValidateBranchName(o.Branch); err != nil {
		return nil, fmt.Errorf("hydrate %s: %w", m.Env, err)
	}
	files, objects, err := Files(m)
	if err != nil {
		return nil, fmt.Errorf("hydrate %s: %w", m.Env, err)
	}
	res := &Result{Env: m.Env, Branch: o.Branch, Revision: m.Revision, Version: m.Version, Source: o.Source, Objects: objects}
	for f := range files {
		res.Files = append(res.Files, f)
	}
	sort.Strings(res.Files)
	tree, err := repo.TreeOfFiles(ctx, files)
	if err != nil {
		return nil, fmt.Errorf("hydrate %s: %w", m.Env, err)
	}
	parent, err := branchHead(ctx, repo, o)
	if err != nil {
		return nil, fmt.Errorf("hydrate %s: %w", m.Env, err)
	}
	if parent != "" {
		if pt, err := repo.Tree(ctx, parent); err == nil && pt == tree {
			res.Commit = parent
			return res, nil
		}
	}
	var parents []string
	if parent != "" {
		parents = []string{parent}
	}
	commit, err := repo.CommitTree(ctx, tree, parents, message(m))
	if err != nil {
		return nil, fmt.Errorf("hydrate %s: %w", m.Env, err)
	}
	ref := "refs/heads/" + o.Branch
	if o.Remote != "" {
		if _, err := repo.Push(ctx, o.Remote, []git.RefUpdate{{Ref: ref, New: commit}}); err != nil {
			return nil, fmt.Errorf("hydrate %s: push %s: %w", m.Env, o.Branch, err)
		}
		res.Pushed = true
		if note := followLocal(ctx, repo, ref, commit); note != "" {
			res.Notes = append(res.Notes, note)
		}
	} else if err := repo.UpdateRefs(ctx, []git.RefUpdate{{Ref: ref, Old: parent, New: commit}}, "ferry hydrate "+m.Env); err != nil {
		return nil, fmt.Errorf("hydrate %s: %w", m.Env, err)
	}
	res.Commit, res.Changed = commit, true
	return res, nil
}

// branchHead is the commit the next hydrate commit goes on: the remote's
// branch (fetched) when there is a remote, else the local one; "" when the
// branch does not exist yet.
func branchHead(ctx context.Context, repo *git.Repo, o Options) (string, error) {
	var head string
	var err error
	if o.Remote != "" {
		head, err = repo.RemoteHead(ctx, o.Remote, o.Branch)
	} else {
		head, err = repo.BranchHead(ctx, o.Branch)
	}
	if errors.Is(err, git.ErrUnknownRef) {
		return "", nil
	}
	return head, err
}

// followLocal moves the local branch to what was pushed when it is absent
// or behind; otherwise it says why it left it alone.
func followLocal(ctx context.Context, repo *git.Repo, ref, commit string) string {
	branch := strings.TrimPrefix(ref, "refs/heads/")
	old, err := repo.BranchHead(ctx, branch)
	switch {
	case errors.Is(err, git.ErrUnknownRef):
		old = ""
	case err != nil:
		return fmt.Sprintf("local %s not updated: %v", branch, err)
	case old == commit:
		return ""
	default:
		if ok, _ := repo.IsAncestor(ctx, old, commit); !ok {
			return fmt.Sprintf("local %s has commits the remote lacks; left alone", branch)
		}
	}
	if err := repo.UpdateRef(ctx, ref, commit, old, "ferry hydrate"); err != nil {
		return fmt.Sprintf("local %s not updated: %v", branch, err)
	}
	return ""
}

func message(m *deploy.Manifests) string {
	var b strings.Builder
	at := m.Revision
	if len(at) > 12 {
		at = at[:12]
	}
	fmt.Fprintf(&b, "ferry hydrate %s at %s", m.Env, at)
	if m.Version != "" {
		fmt.Fprintf(&b, " (%s)", m.Version)
	}
	fmt.Fprintf(&b, "\n\nRendered manifests of environment %s. Generated: do not edit.\n\n", m.Env)
	fmt.Fprintf(&b, "%s: %s\n%s: %s\n", TrailerHydrate, m.Env, TrailerRevision, m.Revision)
	if m.Version != "" {
		fmt.Fprintf(&b, "%s: %s\n", TrailerVersion, m.Version)
	}
	return b.String()
}

// Files lays m out as the branch's files: <target>/<component>.yaml, the
// objects in the order ferry applies them, namespaced objects without a
// namespace given the component's, and a README. It returns the number of
// objects too.
func Files(m *deploy.Manifests) (map[string][]byte, int, error) {
	files := map[string][]byte{"README.md": []byte(readme(m.Env))}
	n := 0
	for _, t := range m.Targets {
		for _, c := range t.Components {
			var b bytes.Buffer
			for _, o := range c.Objects {
				o = o.DeepCopy()
				if o.GetNamespace() == "" && c.Namespace != "" && !ClusterScoped(o) {
					o.SetNamespace(c.Namespace)
				}
				data, err := yaml.Marshal(o.Object)
				if err != nil {
					return nil, 0, fmt.Errorf("encode %s/%s of %s: %w", o.GetKind(), o.GetName(), c.Component, err)
				}
				b.WriteString("---\n")
				b.Write(data)
				n++
			}
			if b.Len() > 0 {
				files[path.Join(t.Target, c.Component+".yaml")] = b.Bytes()
			}
		}
	}
	return files, n, nil
}

func readme(env string) string {
	return "# Rendered manifests of environment " + env + "\n\n" +
		"Generated by `ferry hydrate " + env + "`: one directory per cluster target, one file per\n" +
		"component, plain YAML for Argo CD or Flux to apply. Do not edit: the next hydrate replaces it.\n" +
		"Each commit names the source revision it rendered in its `" + TrailerRevision + "` trailer.\n"
}

// clusterScoped are the built-in kinds that have no namespace.
var clusterScoped = map[string]bool{
	"Namespace": true, "Node": true, "PersistentVolume": true, "ClusterRole": true, "ClusterRoleBinding": true,
	"CustomResourceDefinition": true, "StorageClass": true, "PriorityClass": true, "IngressClass": true,
	"RuntimeClass": true, "APIService": true, "MutatingWebhookConfiguration": true,
	"ValidatingWebhookConfiguration": true, "ValidatingAdmissionPolicy": true,
	"ValidatingAdmissionPolicyBinding": true, "CSIDriver": true, "VolumeSnapshotClass": true,
	"ClusterIssuer": true, "FlowSchema": true, "PriorityLevelConfiguration": true,
}

// ClusterScoped reports whether o is of a built-in cluster-scoped kind.
// Custom cluster-scoped kinds are not known without the cluster (ferry sync
// asks its API server): a component with such objects should leave its
// namespace unset and give each namespaced object its own.
func ClusterScoped(o *unstructured.Unstructured) bool { return clusterScoped[o.GetKind()] }
