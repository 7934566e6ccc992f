package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"ferry.dev/ferry/internal/deploy"
)

type syncOptions struct {
	g      *Globals
	env    string
	ref    string
	dryRun bool
}

func newSyncCmd(g *Globals) *cobra.Command {
	o := &syncOptions{g: g}
	cmd := &cobra.Command{
		Use:   "sync ENV [--ref REV] [--dry-run]",
		Short: "Deploy an environment: all targets, all components",
		Long: `Deploy the revision (default: the head of ENV's lane) to every target of ENV,
one target at a time in rollout order, components in dependsOn order:
Terraform plans applied from the saved plan, Kubernetes objects dry-run, then
server-side applied in stages, pruned and waited for until healthy. The
environment's lock is held throughout and the deployment is recorded. The
first failure stops the rollout. --dry-run shows the plan and writes nothing.`,
		Example: "  ferry sync dev\n  ferry sync production --ref v1.4.0\n  ferry sync staging --dry-run -o json",
		Args:    exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.env = args[0]
			return o.run(c.Context())
		},
	}
	o.addFlags(cmd)
	return cmd
}

func (o *syncOptions) addFlags(c *cobra.Command) {
	c.Flags().StringVar(&o.ref, "ref", "", "revision to deploy (default: the environment's lane head)")
	c.Flags().BoolVar(&o.dryRun, "dry-run", false, "show what would change, change nothing")
}

func (o *syncOptions) run(ctx context.Context) error {
	if o.g.Server != "" {
		return o.runRemote(ctx)
	}
	ap, err := openDeploy(ctx, o.g)
	if err != nil {
		return err
	}
	defer ap.Close()
	if o.dryRun {
		rep, err := ap.Plan(ctx, o.env, o.ref)
		return o.finish(rep, err)
	}
	rep, err := ap.Sync(ctx, o.env, o.ref)
	return o.finish(rep, err)
}

func (o *syncOptions) finish(rep *deploy.Report, err error) error {
	if rep == nil {
		return err
	}
	if o.g.JSON() {
		if werr := o.g.WriteJSON(rep); werr != nil {
			return werr
		}
	} else {
		writeReport(o.g.Out, rep)
	}
	if err != nil {
		return &ProblemError{Err: err, Try: "ferry history " + o.env}
	}
	if rep.Status == "failed" {
		return &ProblemError{Err: errors.New("sync failed (see above)")}
	}
	return nil
}
