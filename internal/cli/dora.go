package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/dora"
)

type doraOptions struct {
	g     *Globals
	env   string
	since string
}

func newDoraCmd(g *Globals) *cobra.Command {
	o := &doraOptions{g: g}
	cmd := &cobra.Command{
		Use:   "dora [ENV]",
		Short: "The DORA metrics of an environment (default: production) from the store",
		Long: `Compute the DORA software delivery metrics of an environment over the last
--since (default 90d): deployment frequency, lead time for changes, change
failure rate, failed deployment recovery time and deployment rework rate, each
with its DORA performance band. ENV defaults to the environment the last lane
(release) feeds. docs/operations.md defines every figure.`,
		Example: "  ferry dora\n  ferry dora staging --since 2w\n  ferry dora -o json",
		Args:    maxArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.env = args[0]
			}
			return o.run(c.Context())
		},
	}
	cmd.Flags().StringVar(&o.since, "since", "90d", "window length: a number and h, d or w (12h, 90d, 2w)")
	return cmd
}

func (o *doraOptions) run(ctx context.Context) error {
	since, err := dora.ParseSince(o.since)
	if err != nil {
		return usageErr("ferry dora --since 90d", "%v", err)
	}
	ap, err := openDeploy(ctx, o.g)
	if err != nil {
		return err
	}
	defer ap.Close()
	if o.env == "" {
		if o.env, err = dora.DefaultEnv(ap.P); err != nil {
			return err
		}
	} else if _, ok := ap.P.Env(o.env); !ok {
		return &deploy.UnknownEnvError{Env: o.env}
	}
	rep, err := dora.Compute(ctx, ap.Store, o.env, since, time.Now())
	if err != nil {
		return fmt.Errorf("dora %s: %w", o.env, err)
	}
	if o.g.JSON() {
		return o.g.WriteJSON(rep)
	}
	return renderDora(o.g.Out, rep, o.since)
}

func renderDora(w io.Writer, r dora.Report, since string) error {
	fmt.Fprintf(w, "DORA metrics of %s, %s to %s (%s)\n", r.Env,
		r.From.Format("2006-01-02 15:04"), r.To.Format("2006-01-02 15:04 MST"), since)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "METRIC\tVALUE\tBAND")
	f := r.DeploymentFrequency
	fmt.Fprintf(tw, "deployment frequency\t%d (%.2f/day, %.2f/week)\t%s\n", f.Count, f.PerDay, f.PerWeek, f.Band)
	l := r.LeadTime
	fmt.Fprintf(tw, "lead time for changes\t%s\t%s\n", durationText(l, "changes"), l.Band)
	c := r.ChangeFailureRate
	fmt.Fprintf(tw, "change failure rate\t%s (%d of %d)\t%s\n", percent(c.Ratio), c.Count, c.Of, c.Band)
	rc := r.RecoveryTime
	fmt.Fprintf(tw, "failed deployment recovery time\t%s\t%s\n", durationText(rc, "recoveries"), rc.Band)
	rw := r.ReworkRate
	fmt.Fprintf(tw, "deployment rework rate\t%s (%d hotfixes of %d)\t%s\n", percent(rw.Ratio), rw.Count, rw.Of, rw.Band)
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range doraNotes(r) {
		fmt.Fprintln(w, n)
	}
	return nil
}

func durationText(d dora.Durations, what string) string {
	if d.Count == 0 {
		return "no " + what
	}
	return fmt.Sprintf("median %s, p90 %s (%d %s)", d.Median, d.P90, d.Count, what)
}

func percent(ratio float64) string { return fmt.Sprintf("%.1f%%", ratio*100) }

// doraNotes say what the figures left out or could not know.
func doraNotes(r dora.Report) []string {
	var out []string
	d := r.Deployments
	if d.Redeploys > 0 || d.Unfinished > 0 {
		out = append(out, fmt.Sprintf("left out: %d redeploy(s) of what already ran, %d deployment(s) running or aborted",
			d.Redeploys, d.Unfinished))
	}
	if d.NoChangeData > 0 {
		out = append(out, fmt.Sprintf("%d deployment(s) lack change data (recorded before ferry kept it): no lead time, never a rollback or hotfix",
			d.NoChangeData))
	}
	if r.LeadTime.Skewed > 0 {
		out = append(out, fmt.Sprintf("%d change(s) had a first commit after their deployment ended (clock skew): counted as 0",
			r.LeadTime.Skewed))
	}
	if r.RecoveryTime.Open > 0 {
		out = append(out, fmt.Sprintf("%d failure(s) not recovered yet", r.RecoveryTime.Open))
	}
	return out
}
