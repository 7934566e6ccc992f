package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"ferry.dev/ferry/internal/view"
)

type statusOptions struct {
	g    *Globals
	env  string
	live bool // probe clusters and backends for health and drift
}

func newStatusCmd(g *Globals) *cobra.Command {
	o := &statusOptions{g: g}
	cmd := &cobra.Command{
		Use:   "status [ENV]",
		Short: "Lanes: head, version carried, commits waiting upstream, drift",
		Long: `Show, per lane, its head, the version it carries (latest version tag reachable),
the commits waiting upstream, and drift: commits on a protected lane ferry did
not make. With ENV, only the lane that feeds ENV. Then, per environment and
target, the deployed revision and version and the recorded health; with
--live, health and drift (Kubernetes dry-run, Terraform plan) checked now.
Exits 1 when there is drift or a deployed target is unhealthy.`,
		Example: "  ferry status\n  ferry status staging -o json\n  ferry status dev --live",
		Args:    maxArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.env = args[0]
			}
			return o.run(c.Context())
		},
	}
	cmd.Flags().BoolVar(&o.live, "live", false, "also check each deployed target's health and drift against its cluster and Terraform backend")
	return cmd
}

func (o *statusOptions) run(ctx context.Context) error {
	if o.g.Server != "" {
		return o.runRemote(ctx)
	}
	ap, e, err := openApp(ctx, o.g)
	if err != nil {
		return err
	}
	defer ap.Close()
	rep, err := view.StatusOf(ctx, ap, e, o.env, o.live)
	if err != nil {
		return err
	}
	return o.write(rep)
}

// write prints the report (the same from a server as made here) and exits
// 1 when it shows a problem.
func (o *statusOptions) write(rep *view.Status) error {
	if o.g.JSON() {
		if err := o.g.WriteJSON(rep); err != nil {
			return err
		}
	} else {
		renderLanes(o.g.Out, rep)
		renderEnvs(o.g.Out, rep)
		renderAgent(o.g.Out, rep)
	}
	if rep.Problem() {
		return errSilentProblem
	}
	return nil
}

func renderLanes(w io.Writer, rep *view.Status) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LANE\tENV\tHEAD\tVERSION\tWAITING\tDRIFT\tSUBJECT")
	for _, l := range rep.Lanes {
		waiting := "-"
		if l.Upstream != "" {
			waiting = fmt.Sprintf("%d from %s", l.Waiting, l.Upstream)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", l.Lane, dash(l.Env), dash(short(l.Head)), dash(l.Version), waiting, len(l.Drift), l.Subject)
	}
	tw.Flush()
	for _, l := range rep.Lanes {
		if l.Error != "" {
			fmt.Fprintf(w, "error on %s: %s\n", l.Lane, l.Error)
		}
		for _, d := range l.Drift {
			fmt.Fprintf(w, "drift on %s: %s %s (%s) — not made by ferry\n", l.Lane, d.Short, d.Subject, d.Author)
		}
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
