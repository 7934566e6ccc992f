package cli

import (
	"os"
	"strings"

	"k8s.io/client-go/rest"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/kube"
)

// serviceAccountNamespace is where a pod learns its own namespace.
const serviceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

// kubeLease is the Lease --leader-election kubernetes campaigns for (nil
// for the store lease): in a pod, its own cluster and namespace unless
// flags name others.
func (o *serveOptions) kubeLease() (*agent.KubeLease, error) {
	if o.election != "kubernetes" {
		return nil, nil
	}
	rc, err := o.leaseREST()
	if err != nil {
		return nil, usageErr("ferry serve --leader-election kubernetes --lease-context NAME",
			"leader election: %v", err)
	}
	return &agent.KubeLease{REST: rc, Namespace: o.leaseNamespace(), Name: o.leaseName}, nil
}

func (o *serveOptions) leaseREST() (*rest.Config, error) {
	if o.leaseKubecfg == "" && o.leaseContext == "" {
		if rc, err := rest.InClusterConfig(); err == nil {
			return rc, nil
		}
	}
	// The operator names this kubeconfig on the command line; the
	// repository cannot, so its credential plugins are the operator's own.
	return kube.RESTConfig(kube.Options{Kubeconfig: o.leaseKubecfg, Context: o.leaseContext, AllowExecPlugins: true})
}

func (o *serveOptions) leaseNamespace() string {
	if o.leaseNS != "" {
		return o.leaseNS
	}
	if ns := os.Getenv("POD_NAMESPACE"); ns != "" {
		return ns
	}
	if b, err := os.ReadFile(serviceAccountNamespace); err == nil && strings.TrimSpace(string(b)) != "" {
		return strings.TrimSpace(string(b))
	}
	return "default"
}
