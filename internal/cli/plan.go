package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"
)

type planOptions struct {
	g   *Globals
	env string
	ref string
}

func newPlanCmd(g *Globals) *cobra.Command {
	o := &planOptions{g: g}
	cmd := &cobra.Command{
		Use:   "plan ENV [--ref REV]",
		Short: "Terraform plans and Kubernetes diffs for an environment",
		Long: `Check the revision (default: the head of ENV's lane) out in a temporary
worktree and show, per target in rollout order and component in dependsOn
order, what a sync would change: Terraform resources to add, change and
destroy (no values; sensitive ones never shown), and Kubernetes objects to
create, configure (with the changed fields, Secret data masked) and prune.
Writes nothing. Exits 1 when something would change.`,
		Example: "  ferry plan dev\n  ferry plan production --ref v1.4.0 -o json",
		Args:    exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.env = args[0]
			return o.run(c.Context())
		},
	}
	o.addFlags(cmd)
	return cmd
}

func (o *planOptions) addFlags(c *cobra.Command) {
	c.Flags().StringVar(&o.ref, "ref", "", "revision to plan (default: the environment's lane head)")
}

func (o *planOptions) run(ctx context.Context) error {
	ap, err := openDeploy(ctx, o.g)
	if err != nil {
		return err
	}
	defer ap.Close()
	rep, err := ap.Plan(ctx, o.env, o.ref)
	if err != nil && rep == nil {
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
		return err
	}
	if rep.Status == "failed" {
		return &ProblemError{Err: errors.New("plan failed on at least one target (see above)")}
	}
	if rep.Changed() {
		return errSilentProblem
	}
	return nil
}
