package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"ferry.dev/ferry/internal/flow"
)

func newFlowCmd(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "flow",
		Short: "Topic branches: start and finish feature/* and hotfix/*",
		Args:  exactArgs(0),
		RunE:  func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	cmd.AddCommand(newFlowStartCmd(g), newFlowFinishCmd(g))
	return cmd
}

type flowStartOptions struct {
	g          *Globals
	kind, name string
	from       string
}

func newFlowStartCmd(g *Globals) *cobra.Command {
	o := &flowStartOptions{g: g}
	cmd := &cobra.Command{
		Use:   "start hotfix|feature NAME",
		Short: "Create a topic branch from its base lane",
		Long: `Create KIND/NAME from the topic kind's base lane (main for hotfixes, develop for
features, by default) or from --from REF. The working tree is not touched.`,
		Example: "  ferry flow start feature aws-foundation\n  ferry flow start hotfix k3d-dns",
		Args:    exactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			o.kind, o.name = args[0], args[1]
			return o.run(c.Context())
		},
	}
	cmd.Flags().StringVar(&o.from, "from", "", "start from this lane or revision instead of the base lane")
	return cmd
}

func (o *flowStartOptions) run(ctx context.Context) error {
	ap, e, err := openApp(ctx, o.g)
	if err != nil {
		return err
	}
	defer ap.Close()
	res, err := e.StartTopic(ctx, o.kind, o.name, o.from)
	if err != nil {
		return err
	}
	if o.g.JSON() {
		return o.g.WriteJSON(res)
	}
	fmt.Fprintf(o.g.Out, "started %s at %s from %s\n", res.Branch, short(res.Commit), res.From)
	o.g.Progress("switch to it with: git switch %s", res.Branch)
	return nil
}

type flowFinishOptions struct {
	g           *Globals
	branch      string
	opts        flow.FinishOptions
	overrideSet bool
}

func newFlowFinishCmd(g *Globals) *cobra.Command {
	o := &flowFinishOptions{g: g}
	cmd := &cobra.Command{
		Use:   "finish [BRANCH]",
		Short: "Check, then merge the topic branch into its target lanes",
		Long: `Run the checks gate on the topic branch (default: the checked-out branch), then
merge it --no-ff with Ferry-* trailers into every lane its kind merges into, all
or none. A conflict stops with the paths listed and changes nothing.`,
		Example: "  ferry flow finish feature/aws-foundation --delete",
		Args:    maxArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.branch = args[0]
			}
			o.overrideSet = c.Flags().Changed("override")
			if err := o.validate(); err != nil {
				return err
			}
			return o.run(c.Context())
		},
	}
	o.addFlags(cmd)
	return cmd
}

func (o *flowFinishOptions) addFlags(c *cobra.Command) {
	c.Flags().BoolVar(&o.opts.Delete, "delete", false, "delete the branch afterwards")
	c.Flags().BoolVar(&o.opts.Keep, "keep", false, "keep the branch even if the topic kind deletes on finish")
	c.Flags().StringVar(&o.opts.Override, "override", "", "break-glass: finish despite failed checks, recording this reason")
}

func (o *flowFinishOptions) validate() error {
	if o.opts.Delete && o.opts.Keep {
		return usageErr("ferry flow finish --delete or --keep", "--delete and --keep exclude each other")
	}
	return validOverride(o.overrideSet, o.opts.Override, "flow finish")
}

func (o *flowFinishOptions) run(ctx context.Context) error {
	ap, e, err := openApp(ctx, o.g)
	if err != nil {
		return err
	}
	defer ap.Close()
	if o.branch == "" {
		if o.branch, err = e.CurrentBranch(ctx); err != nil {
			return usageErr("ferry flow finish BRANCH", "%v", err)
		}
	}
	res, err := e.FinishTopic(ctx, o.branch, o.opts)
	if res != nil {
		if werr := o.write(res); werr != nil {
			return werr
		}
	}
	return err
}

func (o *flowFinishOptions) write(res *flow.FinishResult) error {
	writeNotes(o.g, res.Notes)
	if o.g.JSON() {
		return o.g.WriteJSON(res)
	}
	w := o.g.Out
	fmt.Fprintf(w, "finish %s (%s) at %s\n", res.Branch, res.Kind, short(res.Revision))
	writeGates(w, res.Gates)
	for _, m := range res.Merges {
		if m.UpToDate {
			fmt.Fprintf(w, "  %s already contains %s\n", m.Lane, res.Branch)
		} else if m.Commit != "" {
			fmt.Fprintf(w, "  merged into %s: now at %s\n", m.Lane, short(m.Commit))
		}
	}
	if res.Deleted {
		fmt.Fprintf(w, "  deleted %s\n", res.Branch)
	}
	return nil
}
