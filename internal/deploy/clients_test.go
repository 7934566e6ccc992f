package deploy

import (
	"errors"
	"testing"
	"time"

	"ferry.dev/ferry/internal/kube"
	"ferry.dev/ferry/internal/platform"
)

// TestClientCache: one client per kubeconfig and context until the TTL
// passes; errors are not kept. The connect function is counted, not a
// cluster: what is tested is the cache's bookkeeping.
func TestClientCache(t *testing.T) {
	calls := 0
	fail := false
	cache := NewClientCache(50*time.Millisecond, func(platform.Target, bool) (*kube.Client, error) {
		calls++
		if fail {
			return nil, errors.New("unreachable")
		}
		return &kube.Client{}, nil
	})
	a := platform.Target{Name: "a", Kube: &platform.KubeTarget{Context: "one"}}
	b := platform.Target{Name: "b", Kube: &platform.KubeTarget{Context: "two"}}
	c1, _ := cache.Connect(a, false)
	c2, _ := cache.Connect(a, false)
	if c1 != c2 || calls != 1 {
		t.Fatalf("same context: %p %p after %d connects", c1, c2, calls)
	}
	if c3, _ := cache.Connect(b, false); c3 == c1 || calls != 2 {
		t.Fatalf("another context shared a client (%d connects)", calls)
	}
	if c4, _ := cache.Connect(a, true); c4 == c1 || calls != 3 {
		t.Fatalf("exec plugins allowed shared a client built without (%d connects)", calls)
	}
	time.Sleep(60 * time.Millisecond)
	fail = true
	if _, err := cache.Connect(a, false); err == nil || calls != 4 {
		t.Fatalf("after the TTL: %v, %d connects", err, calls)
	}
	fail = false
	if c5, err := cache.Connect(a, false); err != nil || c5 == c1 || calls != 5 {
		t.Fatalf("a failed connect was kept or the old client returned: %v, %d connects", err, calls)
	}
}
