package agent

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/klog/v2"
)

// KubeLease elects the leader with a coordination.k8s.io Lease through
// client-go's leaderelection, the way controllers running in a cluster
// do, instead of the store lease. Environment locks stay in the store.
type KubeLease struct {
	// REST reaches the cluster that holds the Lease (in a pod, its own).
	REST *rest.Config
	// Namespace and Name locate the Lease (created when missing).
	Namespace, Name string
}

// kubeElector campaigns for the Lease. Its timings derive from the
// agent's lease TTL: a follower takes over once the TTL passed without a
// renewal, and a leader that cannot renew within two thirds of it stops,
// before anyone else may start.
type kubeElector struct {
	cfg      KubeLease
	identity string
	ttl      time.Duration
	log      *slog.Logger
}

func (e *kubeElector) String() string {
	return "kubernetes lease " + e.cfg.Namespace + "/" + e.cfg.Name
}

func (e *kubeElector) campaign(ctx context.Context) (term, error) {
	rc := rest.CopyConfig(e.cfg.REST)
	rc.Timeout = max(time.Second, e.ttl/3) // one hung request must not cost the lease
	cs, err := kubernetes.NewForConfig(rest.AddUserAgent(rc, "ferry-leader-election"))
	if err != nil {
		return nil, fmt.Errorf("leader election: %w", err)
	}
	lock := &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Namespace: e.cfg.Namespace, Name: e.cfg.Name},
		Client:     cs.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: e.identity},
	}
	started := make(chan context.Context, 1)
	le, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock:            lock,
		Name:            e.cfg.Name,
		LeaseDuration:   e.ttl,
		RenewDeadline:   e.ttl * 2 / 3,
		RetryPeriod:     e.ttl / 6,
		ReleaseOnCancel: true,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(leadCtx context.Context) { started <- leadCtx },
			OnStoppedLeading: func() {},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("leader election: %w", err)
	}
	// The term outlives the campaign's ctx; release ends it.
	runCtx, stop := context.WithCancel(klog.NewContext(context.WithoutCancel(ctx), logr.FromSlogHandler(e.log.Handler())))
	done := make(chan struct{})
	go func() { defer close(done); le.Run(runCtx) }()
	select {
	case leadCtx := <-started:
		return &kubeTerm{leadCtx: leadCtx, stop: stop, done: done}, nil
	case <-ctx.Done():
		stop()
		<-done
		return nil, ctx.Err()
	}
}

// kubeTerm is a held Lease; client-go renews it, and leadCtx ends when a
// renewal misses its deadline.
type kubeTerm struct {
	leadCtx context.Context
	stop    context.CancelFunc
	done    chan struct{}
}

func (t *kubeTerm) lost() <-chan struct{} { return t.leadCtx.Done() }

// release cancels the election, which gives the Lease up
// (ReleaseOnCancel), and waits until it has.
func (t *kubeTerm) release() {
	t.stop()
	<-t.done
}
