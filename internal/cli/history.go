package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/store"
)

type historyOptions struct {
	g      *Globals
	target string
	limit  int
	app    *app.App
}

// historyReport is the stable -o json shape of `ferry history`. Sections
// fill their own field; the deploy engine adds deployments.
type historyReport struct {
	Lane       string            `json:"lane,omitempty"`
	Env        string            `json:"env,omitempty"`
	Promotions []store.Promotion `json:"promotions"`
	// Deployments of Env, newest first.
	Deployments []store.Deployment `json:"deployments,omitempty"`
}

type historySection struct {
	name   string
	gather func(ctx context.Context, e *flow.Engine, rep *historyReport) error
	render func(w io.Writer, rep *historyReport)
}

func newHistoryCmd(g *Globals) *cobra.Command {
	o := &historyOptions{g: g}
	cmd := &cobra.Command{
		Use:   "history [ENV|LANE]",
		Short: "Past promotions, releases, finishes and rollbacks, overrides included",
		Long: `List what ferry moved into an environment's lane (or a lane, or all lanes),
newest first: promotions, releases, topic finishes and rollbacks, with the
evidence, the actor and any --override reason.`,
		Example: "  ferry history staging\n  ferry history production -o json",
		Args:    maxArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.target = args[0]
			}
			if o.limit <= 0 {
				return usageErr("ferry history --limit 20", "--limit must be positive")
			}
			return o.run(c.Context())
		},
	}
	cmd.Flags().IntVar(&o.limit, "limit", 50, "show at most this many entries")
	return cmd
}

func (o *historyOptions) sections() []historySection {
	return []historySection{{name: "promotions", gather: o.gatherPromotions, render: renderPromotions},
		{name: "deployments", gather: o.gatherDeployments, render: renderDeployments}}
}

func (o *historyOptions) run(ctx context.Context) error {
	ap, e, err := openApp(ctx, o.g)
	if err != nil {
		return err
	}
	defer ap.Close()
	o.app = ap
	rep := &historyReport{}
	if o.target != "" {
		if rep.Lane, rep.Env, err = e.HistoryTarget(o.target); err != nil {
			return err
		}
	}
	for _, s := range o.sections() {
		if err := s.gather(ctx, e, rep); err != nil {
			return fmt.Errorf("history %s: %w", s.name, err)
		}
	}
	if o.g.JSON() {
		return o.g.WriteJSON(rep)
	}
	for _, s := range o.sections() {
		s.render(o.g.Out, rep)
	}
	return nil
}

func (o *historyOptions) gatherPromotions(ctx context.Context, e *flow.Engine, rep *historyReport) error {
	ps, err := e.History(ctx, rep.Lane, o.limit)
	rep.Promotions = ps
	return err
}

func renderPromotions(w io.Writer, rep *historyReport) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tWHEN\tKIND\tFROM\tTO\tCOMMIT\tVERSION\tACTOR\tEVIDENCE")
	for _, p := range rep.Promotions {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.CreatedAt.UTC().Format("2006-01-02 15:04"),
			p.Kind, p.From, p.To, short(p.Commit), dash(p.Version), p.Actor, dash(joinComma(p.Evidence)))
	}
	tw.Flush()
	for _, p := range rep.Promotions {
		if p.Override != "" {
			fmt.Fprintf(w, "override on %s %d by %s: %s\n", p.Kind, p.ID, p.Actor, p.Override)
		}
	}
}

func joinComma(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out
}
