package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"ferry.dev/ferry/internal/flow"
)

type promoteOptions struct {
	g           *Globals
	lane        string
	dryRun      bool
	override    string
	overrideSet bool
	ref         string
}

func newPromoteCmd(g *Globals) *cobra.Command {
	o := &promoteOptions{g: g}
	cmd := &cobra.Command{
		Use:   "promote LANE",
		Short: "Move the verified revision into LANE, if its gates pass",
		Long: `Pick the candidate for LANE from ferry.yaml (the source lane's head, or the
source revision the gate environment deployed and verified), print every gate
with pass/fail and why, and if all pass move LANE to a merge commit of the
candidate with Ferry-* trailers whose tree is exactly the candidate's (a
rollback or an overridden hand edit on LANE does not survive it), record it
and push it. --override REASON lets a blocked promotion through and records
who did it and why. When nothing is verified to promote (the gate
environment has no healthy, verified deployment), --override promotes the
source lane's head unverified, or --ref REV (a revision of the lane the
candidate comes from), recorded as overridden. Gates: checks (a passing
check run of the candidate, run now when none is recorded), deployed, approvals (ferry approve LANE),
lane (no hand edits), carried (no topic merge on LANE the candidate lacks).`,
		Example: "  ferry promote staging\n  ferry promote main --dry-run\n  ferry promote staging --override \"checks service down, INC-42\"\n  ferry promote main --override \"staging cluster down, INC-7\" --ref 1a2b3c4",
		Args:    exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.lane = args[0]
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

func (o *promoteOptions) addFlags(c *cobra.Command) {
	c.Flags().BoolVar(&o.dryRun, "dry-run", false, "show the candidate and the gates, change nothing")
	c.Flags().StringVar(&o.override, "override", "", "break-glass: promote despite failed gates, recording this reason")
	c.Flags().StringVar(&o.ref, "ref", "", "break-glass candidate (needs --override): promote this revision instead of the verified one")
}

func (o *promoteOptions) validate() error {
	if o.ref != "" && !o.overrideSet {
		return usageErr("ferry promote "+o.lane+" --override \"why, ticket\" --ref REV", "--ref needs --override: it picks the candidate past the deployed gate")
	}
	return validOverride(o.overrideSet, o.override, "promote "+o.lane)
}

func (o *promoteOptions) run(ctx context.Context) error {
	if o.g.Server != "" {
		return o.runRemote(ctx)
	}
	ap, _, err := openApp(ctx, o.g)
	if err != nil {
		return err
	}
	defer ap.Close()
	res, err := ap.Promote(ctx, o.lane, flow.PromoteOptions{DryRun: o.dryRun, Override: o.override, Ref: o.ref})
	if res != nil {
		if werr := o.write(res); werr != nil {
			return werr
		}
	}
	return err
}

func (o *promoteOptions) write(res *flow.Result) error {
	writeNotes(o.g, res.Notes)
	if o.g.JSON() {
		return o.g.WriteJSON(res)
	}
	w := o.g.Out
	fmt.Fprintf(w, "promote %s -> %s\n", res.From, res.To)
	if res.Candidate != "" {
		fmt.Fprintf(w, "  candidate %s@%s (%s)\n", res.From, short(res.Candidate), res.CandidateKind)
	}
	fmt.Fprintf(w, "  target    %s@%s\n", res.To, short(res.Target))
	if res.RolledBack != "" {
		fmt.Fprintf(w, "  %s is rolled back to %s: this replaces its tree with %s's\n", res.To, res.RolledBack, short(res.Candidate))
	}
	if res.UpToDate {
		fmt.Fprintf(w, "up to date: %s already contains %s\n", res.To, short(res.Candidate))
		return nil
	}
	writeGates(w, res.Gates)
	if res.Candidate != "" {
		writeCommits(w, "  commits", res.Commits)
	}
	switch {
	case res.Commit != "":
		fmt.Fprintf(w, "promoted: %s is now at %s (promotion %d)\n", res.To, short(res.Commit), res.PromotionID)
	case res.DryRun && res.Allowed:
		fmt.Fprintf(w, "dry run: would merge %s into %s\n", short(res.Candidate), res.To)
	}
	return nil
}
