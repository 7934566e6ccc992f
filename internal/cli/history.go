package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"ferry.dev/ferry/internal/view"
)

type historyOptions struct {
	g      *Globals
	target string
	limit  int
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

func (o *historyOptions) run(ctx context.Context) error {
	if o.g.Server != "" {
		return o.runRemote(ctx)
	}
	ap, e, err := openApp(ctx, o.g)
	if err != nil {
		return err
	}
	defer ap.Close()
	rep, err := view.HistoryOf(ctx, ap, e, o.target, o.limit)
	if err != nil {
		return err
	}
	return o.write(rep)
}

func (o *historyOptions) write(rep *view.History) error {
	if o.g.JSON() {
		return o.g.WriteJSON(rep)
	}
	renderPromotions(o.g.Out, rep)
	renderDeployments(o.g.Out, rep)
	return nil
}

func renderPromotions(w io.Writer, rep *view.History) {
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
