package testenv

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// childEnv is the environment of every plane process: the test's, with HOME
// in the plane dir so no user config (~/.kwok, ~/.kube) is read.
func (cp *ControlPlane) childEnv() []string {
	env := []string{"HOME=" + cp.Dir}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k != "HOME" && k != "KUBECONFIG" {
			env = append(env, kv)
		}
	}
	return env
}

func (cp *ControlPlane) start(name, bin string, args ...string) error {
	p, err := startProcess(name, bin, args, cp.LogPath(name), cp.childEnv())
	if err != nil {
		return err
	}
	cp.procs = append(cp.procs, p)
	return nil
}

// waitFor polls cond until it is true, ctx ends, or a process dies (then the
// error carries that process's log tail).
func (cp *ControlPlane) waitFor(ctx context.Context, what string, cond func(context.Context) (bool, error)) error {
	var last error
	for {
		if err := cp.Alive(); err != nil {
			return err
		}
		ok, err := cond(ctx)
		if ok {
			return nil
		}
		last = err
		select {
		case <-ctx.Done():
			if last != nil {
				return fmt.Errorf("wait for %s: %w (last: %v)", what, ctx.Err(), last)
			}
			return fmt.Errorf("wait for %s: %w", what, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// startEtcd runs etcd with its data in memory (/dev/shm) when possible:
// etcd 3.4 has no --unsafe-no-fsync, and fsync on a shared disk is what makes
// a test apiserver slow.
func (cp *ControlPlane) startEtcd(ctx context.Context, bin string, client, peer int) error {
	sweepStale("/dev/shm", "etcd")
	data, err := ownedTempDir("/dev/shm", "etcd")
	if err != nil {
		data = filepath.Join(cp.Dir, "etcd")
		_ = os.RemoveAll(data)
	}
	cp.removable = append(cp.removable, data)
	cu := fmt.Sprintf("http://127.0.0.1:%d", client)
	pu := fmt.Sprintf("http://127.0.0.1:%d", peer)
	err = cp.start("etcd", bin,
		"--name=default", "--data-dir="+data,
		"--listen-client-urls="+cu, "--advertise-client-urls="+cu,
		"--listen-peer-urls="+pu, "--initial-advertise-peer-urls="+pu,
		"--initial-cluster=default="+pu,
		"--logger=zap", "--log-outputs=stderr", "--log-level=warn")
	if err != nil {
		return err
	}
	hc := &http.Client{Timeout: time.Second}
	return cp.waitFor(ctx, "etcd health", func(ctx context.Context) (bool, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, cu+"/health", nil)
		if err != nil {
			return false, err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return false, err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(body), `"health":"true"`), fmt.Errorf("etcd health: %s", body)
	})
}

func (cp *ControlPlane) startAPIServer(ctx context.Context, bin string, pk *pki, ports []int) error {
	err := cp.start("kube-apiserver", bin,
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", ports[0]),
		"--service-account-key-file="+pk.saKeyFile,
		"--service-account-signing-key-file="+pk.saKeyFile,
		"--service-account-issuer=https://kubernetes.default.svc",
		"--cert-dir="+filepath.Join(cp.Dir, "pki"),
		"--tls-cert-file="+pk.certFile, "--tls-private-key-file="+pk.keyFile,
		fmt.Sprintf("--secure-port=%d", ports[2]), "--bind-address=127.0.0.1",
		"--authorization-mode=RBAC", "--token-auth-file="+pk.tokenFile,
		"--service-cluster-ip-range=10.96.0.0/16",
		"--disable-admission-plugins=ServiceAccount",
		"--profiling=false")
	if err != nil {
		return err
	}
	return cp.waitFor(ctx, "kube-apiserver /readyz", func(ctx context.Context) (bool, error) {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		body, err := cp.client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err != nil {
			return false, err
		}
		return strings.TrimSpace(string(body)) == "ok", fmt.Errorf("readyz: %s", body)
	})
}

func (cp *ControlPlane) startControllers(bins map[string]string, pk *pki) error {
	kc := "--kubeconfig=" + cp.Kubeconfig
	err := cp.start("kube-controller-manager", bins["kube-controller-manager"], kc,
		"--leader-elect=false",
		"--service-account-private-key-file="+pk.saKeyFile,
		"--root-ca-file="+pk.caFile,
		"--use-service-account-credentials=false",
		"--controllers=*", "--bind-address=127.0.0.1", "--secure-port=0",
		// kwok's Lease renewals stall for about a minute some two minutes
		// after start; with the default 50s grace the node-lifecycle
		// controller then marks every Pod NotReady for good (kwok does not
		// make them Ready again) and later health waits time out.
		"--node-monitor-grace-period=5m")
	if err != nil {
		return err
	}
	err = cp.start("kube-scheduler", bins["kube-scheduler"], kc,
		"--leader-elect=false", "--bind-address=127.0.0.1", "--secure-port=0")
	if err != nil {
		return err
	}
	stages, err := cp.writeKwokConfig()
	if err != nil {
		return err
	}
	return cp.start("kwok", bins["kwok"], kc, "--config="+stages,
		"--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector="+kwokNodeAnnotation+"=fake",
		"--cidr=10.0.0.1/24", "--node-ip=10.0.0.1",
		// Renew a Lease per Node, as a kubelet does: the heartbeat-with-lease
		// stage updates Node status only every ~10 min, and without leases
		// the node-lifecycle controller marks the Nodes unreachable (and
		// taints them) about a minute after start.
		"--node-lease-duration-seconds=40")
}

// writeKubeconfig writes the admin kubeconfig and builds the client config.
func (cp *ControlPlane) writeKubeconfig(pk *pki) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[cp.Context] = &clientcmdapi.Cluster{Server: cp.Server, CertificateAuthorityData: pk.caPEM}
	cfg.AuthInfos[cp.Context] = &clientcmdapi.AuthInfo{Token: pk.adminToken}
	cfg.Contexts[cp.Context] = &clientcmdapi.Context{Cluster: cp.Context, AuthInfo: cp.Context, Namespace: "default"}
	cfg.CurrentContext = cp.Context
	cp.Kubeconfig = filepath.Join(cp.Dir, "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, cp.Kubeconfig); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	cp.rest = &rest.Config{
		Host:            cp.Server,
		BearerToken:     pk.adminToken,
		TLSClientConfig: rest.TLSClientConfig{CAData: pk.caPEM},
		QPS:             100,
		Burst:           200,
	}
	client, err := kubernetes.NewForConfig(cp.rest)
	if err != nil {
		return fmt.Errorf("make client: %w", err)
	}
	cp.client = client
	return nil
}
