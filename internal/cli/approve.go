package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"ferry.dev/ferry/internal/flow"
)

type approveOptions struct {
	g        *Globals
	lane     string
	revision string
	comment  string
}

func newApproveCmd(g *Globals) *cobra.Command {
	o := &approveOptions{g: g}
	cmd := &cobra.Command{
		Use:   "approve LANE [--revision REV] [--comment TEXT]",
		Short: "Approve the candidate of the promotion into LANE",
		Long: `Record that you approve a revision for the promotion into LANE: by default the
candidate ferry promote LANE would move now (--revision names another). The
approvals gate (gates.approvals in ferry.yaml) counts the distinct people who
approved exactly the candidate. You are FERRY_ACTOR, else git config
user.email, else user.name, else $USER.`,
		Example: "  ferry approve main\n  ferry approve release --comment \"CAB-311 approved\"\n  ferry approve main --revision 1a2b3c4",
		Args:    exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.lane = args[0]
			if err := o.validate(); err != nil {
				return err
			}
			return o.run(c.Context())
		},
	}
	o.addFlags(cmd)
	return cmd
}

func (o *approveOptions) addFlags(c *cobra.Command) {
	c.Flags().StringVar(&o.revision, "revision", "", "the revision to approve (default: the promotion's current candidate)")
	c.Flags().StringVar(&o.comment, "comment", "", "why, or a ticket reference, recorded with the approval")
}

func (o *approveOptions) validate() error {
	if strings.HasPrefix(o.revision, "-") {
		return usageErr("ferry approve "+o.lane+" --revision REV", "--revision %q is not a revision", o.revision)
	}
	return nil
}

func (o *approveOptions) run(ctx context.Context) error {
	if o.g.Server != "" {
		return o.runRemote(ctx)
	}
	ap, _, err := openApp(ctx, o.g)
	if err != nil {
		return err
	}
	defer ap.Close()
	a, err := ap.Approve(ctx, o.lane, o.revision, o.comment)
	if err != nil {
		return err
	}
	return o.write(a)
}

func (o *approveOptions) write(a *flow.Approval) error {
	if a.Candidate != "" && a.Candidate != a.Revision {
		o.g.Progress("note: %s is not the current candidate (%s); this approval counts only if it becomes the candidate", short(a.Revision), short(a.Candidate))
	}
	if o.g.JSON() {
		return o.g.WriteJSON(a)
	}
	fmt.Fprintf(o.g.Out, "approved %s for %s -> %s as %s (approval %d)\n", short(a.Revision), a.From, a.Lane, a.Actor, a.ID)
	fmt.Fprintf(o.g.Out, "  approvals of %s: %d (%s), %d required\n", short(a.Revision), len(a.Approvers), strings.Join(a.Approvers, ", "), a.Required)
	return nil
}
