package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/flow"
)

type rollbackOptions struct {
	g      *Globals
	env    string
	to     string
	noSync bool
}

func newRollbackCmd(g *Globals) *cobra.Command {
	o := &rollbackOptions{g: g}
	cmd := &cobra.Command{
		Use:   "rollback ENV --to TAG [--no-sync]",
		Short: "Commit the tag's tree on the environment's lane",
		Long: `Make, on ENV's lane, one commit whose tree equals TAG's tree (trailer
Ferry-Rollback: TAG), with the lane's head as parent, so Git says what should
run and a reconciler never undoes the rollback; then sync ENV at that commit
(--no-sync: only make the commit).`,
		Example: "  ferry rollback production --to v0.2.0\n  ferry rollback production --to v0.2.0 --no-sync",
		Args:    exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.env = args[0]
			if err := o.validate(); err != nil {
				return err
			}
			return o.run(c.Context())
		},
	}
	o.addFlags(cmd)
	return cmd
}

func (o *rollbackOptions) addFlags(c *cobra.Command) {
	c.Flags().StringVar(&o.to, "to", "", "version tag to roll back to (required)")
	c.Flags().BoolVar(&o.noSync, "no-sync", false, "only make the rollback commit, do not deploy it")
}

func (o *rollbackOptions) validate() error {
	if o.to == "" {
		return usageErr("ferry rollback "+o.env+" --to TAG", "rollback needs --to TAG")
	}
	return nil
}

func (o *rollbackOptions) run(ctx context.Context) error {
	if o.g.Server != "" {
		return o.runRemote(ctx)
	}
	ap, _, err := openApp(ctx, o.g)
	if err != nil {
		return err
	}
	defer ap.Close()
	res, rep, err := ap.Rollback(ctx, o.env, o.to, !o.noSync)
	if res == nil {
		return err
	}
	return o.write(res, rep, err)
}

// write prints a rollback (made here or by a server) and its deployment.
func (o *rollbackOptions) write(res *flow.RollbackResult, rep *deploy.Report, err error) error {
	writeNotes(o.g, res.Notes)
	if !o.noSync {
		return o.writeSynced(res, rep, err)
	}
	if err != nil {
		return err
	}
	if o.g.JSON() {
		return o.g.WriteJSON(res)
	}
	if res.UpToDate {
		fmt.Fprintf(o.g.Out, "up to date: %s (%s) already has %s's tree\n", res.Env, res.Lane, res.Tag)
		return nil
	}
	fmt.Fprintf(o.g.Out, "rolled back %s: %s is now at %s with the tree of %s (was %s)\n", res.Env, res.Lane, short(res.Commit), res.Tag, short(res.Previous))
	o.g.Progress("not synced (--no-sync): the environment runs the old revision until it is deployed")
	return nil
}
