package platform

import (
	"container/heap"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Lane returns the declared lane called name.
func (p *Platform) Lane(name string) (Lane, bool) {
	if i := p.LaneIndex(name); i >= 0 {
		return p.Spec.Lanes[i], true
	}
	return Lane{}, false
}

// LaneIndex returns the lane's position in promotion order (0 = first, the
// integration lane), or -1 when name is not a lane.
func (p *Platform) LaneIndex(name string) int { return laneIndex(p.Spec.Lanes, name) }

// LaneNames lists the lanes in promotion order.
func (p *Platform) LaneNames() []string {
	names := make([]string, len(p.Spec.Lanes))
	for i, l := range p.Spec.Lanes {
		names[i] = l.Name
	}
	return names
}

// Env returns the environment called name.
func (p *Platform) Env(name string) (Environment, bool) {
	for _, e := range p.Spec.Environments {
		if e.Name == name {
			return e, true
		}
	}
	return Environment{}, false
}

// EnvForLane returns the environment the lane feeds; a valid model has at
// most one per lane. ok is false for lanes that feed none (e.g. main).
func (p *Platform) EnvForLane(lane string) (Environment, bool) {
	for _, e := range p.Spec.Environments {
		if e.Lane == lane {
			return e, true
		}
	}
	return Environment{}, false
}

// Component returns the component called name.
func (p *Platform) Component(name string) (Component, bool) {
	for _, c := range p.Spec.Components {
		if c.Name == name {
			return c, true
		}
	}
	return Component{}, false
}

// Topic returns the topic-branch kind (feature, hotfix).
func (p *Platform) Topic(kind string) (Topic, bool) {
	for _, t := range p.Spec.Topics {
		if t.Kind == kind {
			return t, true
		}
	}
	return Topic{}, false
}

// TopicForBranch finds the topic kind of a branch by its prefix (the longest
// matching prefix wins) and returns the topic and the branch's name without
// the prefix: "feature/aws-foundation" → feature, "aws-foundation". ok is
// false when no prefix matches or nothing follows it.
func (p *Platform) TopicForBranch(branch string) (t Topic, name string, ok bool) {
	for _, c := range p.Spec.Topics {
		if c.Prefix != "" && strings.HasPrefix(branch, c.Prefix) && len(branch) > len(c.Prefix) &&
			len(c.Prefix) > len(t.Prefix) {
			t, ok = c, true
		}
	}
	if !ok {
		return Topic{}, "", false
	}
	return t, strings.TrimPrefix(branch, t.Prefix), true
}

// PromotionTo returns the promotion that feeds lane.
func (p *Platform) PromotionTo(lane string) (Promotion, bool) {
	for _, pr := range p.Spec.Promotions {
		if pr.To == lane {
			return pr, true
		}
	}
	return Promotion{}, false
}

// ComponentOrder returns the components in deployment order: every component
// after the ones it dependsOn, ties broken by declaration order (stable). On
// a model with a cycle (which validation rejects) the rest follow in
// declaration order.
func (p *Platform) ComponentOrder() []Component {
	comps := p.Spec.Components
	index := map[string]int{}
	for i := len(comps) - 1; i >= 0; i-- {
		index[comps[i].Name] = i
	}
	pending := make([]int, len(comps)) // unplaced dependencies per component
	users := make([][]int, len(comps)) // components that depend on each one
	for i, c := range comps {
		for _, d := range c.DependsOn {
			if j, ok := index[d]; ok && j != i {
				pending[i]++
				users[j] = append(users[j], i)
			}
		}
	}
	ready := &intHeap{}
	for i := range comps {
		if pending[i] == 0 {
			heap.Push(ready, i)
		}
	}
	done := make([]bool, len(comps))
	out := make([]Component, 0, len(comps))
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		done[i] = true
		out = append(out, comps[i])
		for _, u := range users[i] {
			if pending[u]--; pending[u] == 0 {
				heap.Push(ready, u)
			}
		}
	}
	for i, c := range comps { // only on a cycle
		if !done[i] {
			out = append(out, c)
		}
	}
	return out
}

// intHeap is a min-heap of declaration indexes.
type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// OrderedTargets returns the targets in rollout order: lowest Order first,
// ties in list order.
func (e Environment) OrderedTargets() []Target {
	ts := append([]Target(nil), e.Targets...)
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].Order < ts[j].Order })
	return ts
}

// InputsFor returns the component's inputs for env (zero Inputs if none).
func (c Component) InputsFor(env string) Inputs { return c.Inputs[env] }

// PathFor returns the directory to deploy for env, relative to the
// repository root: the env's inputs path (e.g. a kustomize overlay) if set,
// else the component path.
func (c Component) PathFor(env string) string {
	if in := c.Inputs[env]; in.Path != "" {
		return in.Path
	}
	return c.Path
}

// StoreDSN returns the store DSN with ${VAR} references expanded from the
// environment. The error names a missing variable, never the DSN. Never
// print or log the result.
func (p *Platform) StoreDSN() (string, error) {
	var missing []string
	out := envRef.ReplaceAllStringFunc(p.Spec.Store.DSN, func(ref string) string {
		name := envRef.FindStringSubmatch(ref)[1]
		val, ok := os.LookupEnv(name)
		if !ok {
			missing = append(missing, name)
		}
		return val
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("expand store dsn: environment variable %s is not set", strings.Join(missing, ", "))
	}
	return out, nil
}

// StorePath returns the SQLite database file: the expanded DSN, made
// absolute against the repository directory. It is an error for the
// postgres driver.
func (p *Platform) StorePath() (string, error) {
	if p.Spec.Store.Driver != DefaultStoreDriver {
		return "", fmt.Errorf("store path: driver is %q, not sqlite", p.Spec.Store.Driver)
	}
	dsn, err := p.StoreDSN()
	if err != nil {
		return "", err
	}
	if !filepath.IsAbs(dsn) {
		dsn = filepath.Join(p.Dir, dsn)
	}
	return dsn, nil
}
