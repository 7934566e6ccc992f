package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"ferry.dev/ferry/internal/flow"
)

type diffOptions struct {
	g    *Globals
	a, b string
}

type diffResult struct {
	From    string            `json:"from"`
	To      string            `json:"to"`
	Commits []flow.CommitInfo `json:"commits"`
}

func newDiffCmd(g *Globals) *cobra.Command {
	o := &diffOptions{g: g}
	cmd := &cobra.Command{
		Use:     "diff LANE LANE",
		Short:   "List the commits the first lane has that the second lacks",
		Long:    "List the non-merge commits the first lane (or revision) has that the second lacks: what is waiting to be promoted.",
		Example: "  ferry diff develop staging",
		Args:    exactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			o.a, o.b = args[0], args[1]
			return o.run(c.Context())
		},
	}
	return cmd
}

func (o *diffOptions) run(ctx context.Context) error {
	ap, e, err := openApp(ctx, o.g)
	if err != nil {
		return err
	}
	defer ap.Close()
	if err := e.Sync(ctx); err != nil {
		return err
	}
	cs, err := e.Diff(ctx, o.a, o.b)
	if err != nil {
		return err
	}
	if o.g.JSON() {
		return o.g.WriteJSON(diffResult{From: o.a, To: o.b, Commits: cs})
	}
	for _, c := range cs {
		fmt.Fprintf(o.g.Out, "%s %s (%s)\n", c.Short, c.Subject, c.Author)
	}
	o.g.Progress("%d commit(s) on %s that %s lacks", len(cs), o.a, o.b)
	return nil
}
