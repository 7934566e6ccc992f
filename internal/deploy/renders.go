package deploy

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/render"
)

// RenderCache keeps what an environment's Kubernetes components rendered to
// at a revision, so the agent's drift checks, a sync's verification and a
// heal back to the deployed revision do not check the revision out and
// build the same kustomization again (kustomize's build time grows with the
// square of the resources: seconds at 10,000 objects). A commit's files
// never change, so an entry is valid as long as its revision exists, with
// one exception: a platform that allows remote bases or charts renders
// what those remotes serve at the time, and is never cached.
//
// Entries hold JSON, about a tenth of the decoded objects' memory, and
// every get decodes afresh, so callers own (and may change) what they get.
// The least recently used entry goes when there are more than the limit.
type RenderCache struct {
	mu      sync.Mutex
	limit   int
	entries map[renderKey]*renderEntry
	order   []renderKey // least recently used first
}

type renderKey struct{ rev, env string }

type renderEntry struct {
	platform []byte            // ferry.yaml at the revision
	comps    map[string][]byte // component name -> JSON array of its objects
}

// NewRenderCache keeps up to entries (revision, environment) pairs.
func NewRenderCache(entries int) *RenderCache {
	return &RenderCache{limit: max(1, entries), entries: map[renderKey]*renderEntry{}}
}

func (c *RenderCache) get(k renderKey) (*renderEntry, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if ok {
		c.touch(k)
	}
	return e, ok
}

func (c *RenderCache) touch(k renderKey) {
	if i := slices.Index(c.order, k); i >= 0 {
		c.order = slices.Delete(c.order, i, i+1)
	}
	c.order = append(c.order, k)
}

// keep stores what a tree rendered, merged with what the entry had.
func (c *RenderCache) keep(t *tree, platformFile []byte) {
	if c == nil || t.noCache {
		return
	}
	comps := t.snapshot()
	if len(comps) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := renderKey{t.rev, t.env}
	e := c.entries[k]
	if e == nil {
		e = &renderEntry{platform: platformFile, comps: map[string][]byte{}}
		c.entries[k] = e
	}
	maps.Copy(e.comps, comps)
	c.touch(k)
	for len(c.order) > c.limit {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
}

// covered returns a tree without a worktree and the platform at rev when
// the cache holds every component env needs there and none of them is
// Terraform (which plans in the files).
func (c *RenderCache) covered(rev, env string) (*tree, *platform.Platform, bool) {
	e, ok := c.get(renderKey{rev, env})
	if !ok {
		return nil, nil, false
	}
	p, err := platform.Parse(e.platform, platform.FileName, "")
	if err != nil {
		return nil, nil, false
	}
	en, ok := p.Env(env)
	if !ok {
		return nil, nil, false
	}
	for _, t := range en.Targets {
		for _, comp := range components(p, env, t) {
			if _, ok := e.comps[comp.Name]; !ok || comp.Type == platform.Terraform {
				return nil, nil, false
			}
		}
	}
	return &tree{rev: rev, env: env, comps: maps.Clone(e.comps)}, p, true
}

// tree is one revision's files as one Sync, Plan or rollback reads them:
// the worktree, and the components rendered from it or found in the cache.
type tree struct {
	dir      string // the worktree; "" when the cache covered the call
	rev, env string
	noCache  bool // remote sources: what it renders is not kept

	mu    sync.Mutex
	comps map[string][]byte
}

func newTree(dir, rev, env string, p *platform.Platform, cache *RenderCache) *tree {
	t := &tree{dir: dir, rev: rev, env: env, comps: map[string][]byte{}}
	t.noCache = p.Spec.Security.AllowRemoteBases || p.Spec.Security.AllowRemoteCharts
	if e, ok := cache.get(renderKey{rev, env}); ok && !t.noCache {
		maps.Copy(t.comps, e.comps)
	}
	return t
}

// render returns c's objects at the tree's revision, rendered once per
// tree (a sync and its verification share it) and, with a cache, once per
// revision.
func (t *tree) render(p *platform.Platform, c platform.Component) ([]*unstructured.Unstructured, error) {
	t.mu.Lock()
	data, ok := t.comps[c.Name]
	t.mu.Unlock()
	if ok {
		return decodeObjects(data)
	}
	if t.dir == "" {
		return nil, fmt.Errorf("render %s: the revision is not checked out", c.Name)
	}
	objs, err := render.Component(t.dir, p, c, t.env)
	if err != nil {
		return nil, err
	}
	if data, err := json.Marshal(objs); err == nil {
		t.mu.Lock()
		t.comps[c.Name] = data
		t.mu.Unlock()
		// The caller changes what it applies (labels, namespaces): it gets
		// its own copy, the JSON stays as rendered.
		return decodeObjects(data)
	}
	return objs, nil
}

func (t *tree) snapshot() map[string][]byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return maps.Clone(t.comps)
}

// decodeObjects decodes a JSON array of objects the way the API machinery
// does (integers stay int64).
func decodeObjects(data []byte) ([]*unstructured.Unstructured, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, fmt.Errorf("decode rendered objects: %w", err)
	}
	out := make([]*unstructured.Unstructured, 0, len(raws))
	for _, raw := range raws {
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(raw); err != nil {
			return nil, fmt.Errorf("decode rendered objects: %w", err)
		}
		out = append(out, u)
	}
	return out, nil
}

// platformFile reads ferry.yaml of a checked-out revision, for the cache.
func platformFile(dir string) []byte {
	data, _ := os.ReadFile(filepath.Join(dir, platform.FileName))
	return data
}
