package agent_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/store"
)

// TestKubeLeaseElection: two agents elect their leader with a
// coordination.k8s.io Lease on the harness plane. One leads and the Lease
// names it; the store lease stays free; a leader that stops hands the
// Lease over at once (ReleaseOnCancel); a leader whose Lease is taken
// from it stops leading and leaves the Lease to its new holder.
func TestKubeLeaseElection(t *testing.T) {
	f := newPlatform(t, func(s string) string { return strings.ReplaceAll(s, "autoSync: true", "autoSync: false") })
	const ns, name = "default", "ferry-agent-election"
	leases := f.kube.CoordinationV1().Leases(ns)
	holder := func() (string, int32) {
		l, err := leases.Get(context.Background(), name, metav1.GetOptions{})
		if err != nil || l.Spec.HolderIdentity == nil {
			return "", 0
		}
		return *l.Spec.HolderIdentity, ptrValue(l.Spec.LeaseTransitions)
	}
	cfg := func(id string) agent.Config {
		c := f.config(time.Hour)
		c.Identity, c.StateDir = id, c.StateDir+"-"+id
		c.LeaseTTL = 2 * time.Second
		c.KubeLease = &agent.KubeLease{REST: f.rest, Namespace: ns, Name: name}
		return c
	}

	a, _, stopA := f.start(cfg("agent-a"), nil)
	waitFor(t, 30*time.Second, func() (bool, string) { return a.Health().Leader, "a does not lead" })
	if h, _ := holder(); h != "agent-a" {
		t.Fatalf("the Lease is held by %q while agent-a leads", h)
	}
	if got := a.Health().Lease; got != "kubernetes lease default/"+name {
		t.Errorf("health names the lease %q", got)
	}
	// The store lease is not what elects this leader.
	probe, err := f.st.AcquireLock(context.Background(), agent.LeaseName, "probe", time.Second)
	if err != nil {
		t.Fatalf("the store lease is taken while a Kubernetes Lease elects: %v", err)
	}
	_ = f.st.ReleaseLock(context.Background(), probe)

	b, _, stopB := f.start(cfg("agent-b"), nil)
	waitFor(t, 30*time.Second, func() (bool, string) { return b.Health().Role == "follower", "b is no follower" })
	time.Sleep(3 * time.Second) // longer than the lease: a renews, b waits
	if h, _ := holder(); h != "agent-a" || b.Health().Leader {
		t.Fatalf("after a lease time the Lease is held by %q, b leads: %v", h, b.Health().Leader)
	}

	// a stops: it gives the Lease up, and b takes it without waiting out the TTL.
	_, before := holder()
	stopA()
	stopped := time.Now()
	waitFor(t, 10*time.Second, func() (bool, string) { return b.Health().Leader, "b did not take over" })
	t.Logf("takeover %s after the leader stopped (lease 2s)", time.Since(stopped).Round(10*time.Millisecond))
	if h, n := holder(); h != "agent-b" || n != before+1 {
		t.Fatalf("the Lease is held by %q after %d transitions, want agent-b after %d", h, n, before+1)
	}

	// Someone else takes the Lease (an operator, a split brain): b stops
	// leading rather than race them.
	l, err := leases.Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	intruder, long := "intruder", int32(3600)
	l.Spec.HolderIdentity, l.Spec.LeaseDurationSeconds = &intruder, &long
	l.Spec.RenewTime = &metav1.MicroTime{Time: time.Now()}
	if _, err := leases.Update(context.Background(), l, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	taken := time.Now()
	waitFor(t, 10*time.Second, func() (bool, string) { return b.Health().Role == "follower", "b still leads a Lease it lost" })
	t.Logf("stepped down %s after the Lease was taken", time.Since(taken).Round(10*time.Millisecond))
	stopB()
	if h, _ := holder(); h != "intruder" {
		t.Errorf("b released a Lease it did not hold: holder %q", h)
	}
	if _, err := f.st.AcquireLock(context.Background(), agent.LeaseName, "probe", time.Second); errors.Is(err, store.ErrLocked) {
		t.Errorf("the store lease was taken: %v", err)
	}
}

func ptrValue(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}
