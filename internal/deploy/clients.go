package deploy

import (
	"sync"
	"time"

	"ferry.dev/ferry/internal/kube"
	"ferry.dev/ferry/internal/platform"
)

// ClientCache hands out one kube client per kubeconfig and context for
// up to ttl, for a process that syncs and plans the same targets again and
// again (the agent): its connections, and the API discovery its REST
// mapper did, are kept instead of being made at every reconcile. After ttl
// the kubeconfig is read again, so rotated credentials are picked up.
type ClientCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	connect func(t platform.Target, allowExec bool) (*kube.Client, error)
	clients map[clientKey]cachedClient
}

type clientKey struct {
	kubeconfig, context string
	allowExec           bool
}

type cachedClient struct {
	c       *kube.Client
	expires time.Time
}

// NewClientCache caches what connect (nil: the targets' kubeconfigs)
// builds for ttl.
func NewClientCache(ttl time.Duration, connect func(t platform.Target, allowExec bool) (*kube.Client, error)) *ClientCache {
	if connect == nil {
		connect = connectTarget
	}
	return &ClientCache{ttl: ttl, connect: connect, clients: map[clientKey]cachedClient{}}
}

// Connect is an Options.Connect.
func (c *ClientCache) Connect(t platform.Target, allowExec bool) (*kube.Client, error) {
	k := clientKey{allowExec: allowExec}
	if t.Kube != nil {
		k.kubeconfig, k.context = t.Kube.Kubeconfig, t.Kube.Context
	}
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if cc, ok := c.clients[k]; ok && now.Before(cc.expires) {
		return cc.c, nil
	}
	kc, err := c.connect(t, allowExec)
	if err != nil {
		return nil, err
	}
	c.clients[k] = cachedClient{c: kc, expires: now.Add(c.ttl)}
	return kc, nil
}
