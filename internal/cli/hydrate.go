package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"ferry.dev/ferry/internal/hydrate"
)

type hydrateOptions struct {
	g           *Globals
	env         string
	ref, branch string
}

func newHydrateCmd(g *Globals) *cobra.Command {
	o := &hydrateOptions{g: g}
	cmd := &cobra.Command{
		Use:   "hydrate ENV [--ref REV] [--branch NAME]",
		Short: "Commit an environment's rendered manifests to its env/<name> branch",
		Long: `Render ENV's Kubernetes components as ferry sync would (per cluster target,
components in dependsOn order) and commit them, plain YAML, to a branch of
their own: env/<ENV> by default, one directory per target and one file per
component. Argo CD or Flux can then apply that branch (see ferry export)
while ferry runs lanes, checks, gates and releases.

The revision is --ref, else the one ENV last deployed successfully, else the
head of ENV's lane. Each commit names it in a Ferry-Revision trailer; equal
manifests make no commit. With a remote the branch is pushed (never forced).
Terraform outputs (ferry-exports-*) are not hydrated.`,
		Example: "  ferry hydrate staging\n  ferry hydrate production --ref v1.4.0 -o json",
		Args:    exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.env = args[0]
			return o.run(c.Context())
		},
	}
	cmd.Flags().StringVar(&o.ref, "ref", "", "revision to render (default: the last successful deployment, else the lane's head)")
	cmd.Flags().StringVar(&o.branch, "branch", "", "branch to commit to (default: env/ENV)")
	return cmd
}

func (o *hydrateOptions) run(ctx context.Context) error {
	ap, err := openDeploy(ctx, o.g)
	if err != nil {
		return err
	}
	defer ap.Close()
	res, err := ap.Hydrate(ctx, o.env, o.ref, o.branch)
	if err != nil {
		return err
	}
	if o.g.JSON() {
		return o.g.WriteJSON(res)
	}
	at := res.Revision[:min(12, len(res.Revision))]
	if res.Version != "" {
		at += " (" + res.Version + ")"
	}
	if !res.Changed {
		fmt.Fprintf(o.g.Out, "%s already holds %s's manifests at %s: no commit\n", res.Branch, res.Env, at)
	} else {
		fmt.Fprintf(o.g.Out, "%s %s: %s at %s, %d object(s) in %d file(s)\n", res.Branch, res.Commit[:12], res.Env, at, res.Objects, len(res.Files))
	}
	for _, n := range res.Notes {
		o.g.Progress("%s", n)
	}
	return nil
}

type exportOptions struct {
	g    *Globals
	tool string
	o    hydrate.ExportOptions
	envs string
}

func newExportCmd(g *Globals) *cobra.Command {
	o := &exportOptions{g: g}
	cmd := &cobra.Command{
		Use:   "export argocd|flux [--env ENV,...] [--repo-url URL]",
		Short: "Write the Argo CD or Flux objects that apply the hydrated branches",
		Long: `Write, as YAML documents on stdout, the objects that make Argo CD or Flux
apply what ferry hydrate commits:

  argocd  an Application per environment and cluster target (or, with
          --applicationset, one ApplicationSet), source <target>/ of the
          env/<ENV> branch, destination the cluster Argo CD knows by the
          target's kube context name, automated sync with prune and self-heal,
          the rollout order as sync waves.
  flux    a GitRepository per environment (its env/<ENV> branch) and a
          Kustomization per target applying <target>/ with prune and health
          waits, each depending on the previous target: one at a time.

The repository URL defaults to the platform's remote.`,
		Example: "  ferry export argocd > argocd-apps.yaml\n  ferry export flux --env staging,production --kubeconfig-secrets",
		Args:    exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.tool = args[0]
			return o.run(c.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.envs, "env", "", "environments to export, comma-separated (default: all with a cluster target)")
	f.StringVar(&o.o.RepoURL, "repo-url", "", "Git URL Argo CD / Flux read from (default: the platform's remote)")
	f.StringVar(&o.o.Namespace, "namespace", "", "namespace of the objects (default: argocd, or flux-system)")
	f.BoolVar(&o.o.ApplicationSet, "applicationset", false, "argocd: one ApplicationSet instead of an Application per target")
	f.StringVar(&o.o.Project, "project", "", "argocd: the Argo CD project (default: default)")
	f.BoolVar(&o.o.KubeconfigSecrets, "kubeconfig-secrets", false, "flux: apply each target through the kubeconfig in Secret kubeconfig-<target>")
	f.StringVar(&o.o.Interval, "interval", "", "flux: fetch and reconcile interval (default: 1m)")
	return cmd
}

func (o *exportOptions) run(ctx context.Context) error {
	if o.tool != "argocd" && o.tool != "flux" {
		return usageErr("ferry export argocd, or ferry export flux", "export %q: ferry exports for argocd or flux", o.tool)
	}
	ap, e, err := openApp(ctx, o.g)
	if err != nil {
		return err
	}
	defer ap.Close()
	if o.envs != "" {
		o.o.Envs = strings.Split(o.envs, ",")
	}
	if o.o.RepoURL == "" && e.Remote != "" {
		url, err := ap.Repo.Run(ctx, "remote", "get-url", "--", e.Remote)
		if err != nil {
			return fmt.Errorf("export: URL of remote %s: %w", e.Remote, err)
		}
		o.o.RepoURL = strings.TrimSpace(url)
	}
	if o.o.RepoURL == "" {
		return usageErr("ferry export "+o.tool+" --repo-url https://git.example.com/platform.git", "export: the platform has no remote to take the repository URL from")
	}
	export := hydrate.ArgoCD
	if o.tool == "flux" {
		export = hydrate.Flux
	}
	objs, err := export(ap.P, o.o)
	if err != nil {
		return usageErr("ferry export "+o.tool+" --help", "%v", err)
	}
	if o.g.JSON() {
		return o.g.WriteJSON(objs)
	}
	for _, obj := range objs {
		data, err := yaml.Marshal(obj.Object)
		if err != nil {
			return err
		}
		fmt.Fprintf(o.g.Out, "---\n%s", data)
	}
	return nil
}
