// Command devcluster starts the same local Kubernetes control plane the tests
// use (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok
// Nodes), for the README demo on a machine without Docker:
//
//	go build -o bin/devcluster ./hack/devcluster
//	bin/devcluster --dir .ferry/cluster > .ferry/cluster.out &
//	# wait for "ready: KUBECONFIG=..." in .ferry/cluster.out, use it, then
//	kill %1
//
// (Build it rather than `go run` it when it runs in the background: `go run`
// dies on SIGTERM without passing it on, which would orphan the plane.)
//
// It writes <dir>/kubeconfig (context "ferry-local") and the processes' logs
// under <dir>/logs, and runs until SIGINT or SIGTERM, then stops everything.
// Run `make setup` first: it builds the binaries this needs into bin/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"ferry.dev/ferry/internal/testenv"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
		var nf *testenv.ToolNotFoundError
		if errors.As(err, &nf) {
			fmt.Fprintln(os.Stderr, "Try: make setup")
		}
		os.Exit(1)
	}
}

type options struct {
	dir     string
	nodes   int
	context string
	timeout time.Duration
}

func (o *options) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.dir, "dir", ".ferry/cluster", "directory for the kubeconfig, state and logs")
	fs.IntVar(&o.nodes, "nodes", 2, "number of kwok Nodes")
	fs.StringVar(&o.context, "context", "ferry-local", "kubeconfig context name")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "how long the start may take")
}

func (o *options) validate() error {
	if o.dir == "" {
		return errors.New("--dir must not be empty")
	}
	if o.nodes < 1 || o.nodes > 100 {
		return fmt.Errorf("--nodes %d: want 1..100", o.nodes)
	}
	return nil
}

func run(args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("devcluster", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o.addFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := o.validate(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	startCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	cp, err := testenv.StartControlPlane(startCtx, testenv.Options{
		Nodes: o.nodes, ContextName: o.context, Dir: o.dir, Timeout: o.timeout, Progress: stderr,
	})
	if err != nil {
		return err
	}
	defer cp.Stop()
	fmt.Fprintf(stdout, "ready: KUBECONFIG=%s (context %s, %d nodes, started in %s)\n",
		cp.Kubeconfig, cp.Context, len(cp.Nodes), cp.Started.Round(time.Millisecond))
	return watch(ctx, cp, stderr)
}

// watch blocks until a signal arrives or a process of the plane dies.
func watch(ctx context.Context, cp *testenv.ControlPlane, stderr io.Writer) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			fmt.Fprintln(stderr, "devcluster: stopping")
			return nil
		case <-tick.C:
			if err := cp.Alive(); err != nil {
				return fmt.Errorf("control plane failed: %w", err)
			}
		}
	}
}
