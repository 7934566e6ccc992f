package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/flow"
)

type statusOptions struct {
	g    *Globals
	env  string
	live bool // probe clusters and backends for health and drift
	app  *app.App
}

// statusReport is the stable -o json shape of `ferry status`. Each section
// fills its own field; the deploy engine adds environments next to lanes.
type statusReport struct {
	Lanes []flow.LaneStatus `json:"lanes"`
	// Environments: per env and target, deployed revision, health, drift.
	Environments []deploy.TargetStatus `json:"environments,omitempty"`
	// Agent: what ferry serve last did per environment (absent when it
	// never ran).
	Agent []agentStatus `json:"agent,omitempty"`
}

// agentStatus is the agent's newest recorded outcome for an environment.
type agentStatus struct {
	Env string    `json:"env"`
	At  time.Time `json:"at"`
	agent.Outcome
}

// statusSection gathers one part of the report and says whether it found a
// problem (drift, an unreadable lane), which makes status exit 1.
type statusSection struct {
	name   string
	gather func(ctx context.Context, e *flow.Engine, rep *statusReport) (problem bool, err error)
	render func(w io.Writer, rep *statusReport)
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

func (o *statusOptions) sections() []statusSection {
	return []statusSection{{name: "lanes", gather: o.gatherLanes, render: renderLanes},
		{name: "environments", gather: o.gatherEnvs, render: renderEnvs},
		{name: "agent", gather: o.gatherAgent, render: renderAgent}}
}

func (o *statusOptions) run(ctx context.Context) error {
	ap, e, err := openApp(ctx, o.g)
	if err != nil {
		return err
	}
	defer ap.Close()
	o.app = ap
	rep := &statusReport{Lanes: []flow.LaneStatus{}}
	problem := false
	for _, s := range o.sections() {
		p, err := s.gather(ctx, e, rep)
		if err != nil {
			return fmt.Errorf("status %s: %w", s.name, err)
		}
		problem = problem || p
	}
	if o.g.JSON() {
		if err := o.g.WriteJSON(rep); err != nil {
			return err
		}
	} else {
		for _, s := range o.sections() {
			s.render(o.g.Out, rep)
		}
	}
	if problem {
		return errSilentProblem
	}
	return nil
}

func (o *statusOptions) gatherLanes(ctx context.Context, e *flow.Engine, rep *statusReport) (bool, error) {
	want := ""
	if o.env != "" {
		lane, _, err := e.HistoryTarget(o.env)
		if err != nil {
			return false, err
		}
		want = lane
	}
	lanes, err := e.Lanes(ctx)
	if err != nil {
		return false, err
	}
	problem := false
	for _, l := range lanes {
		if want != "" && l.Lane != want {
			continue
		}
		rep.Lanes = append(rep.Lanes, l)
		problem = problem || len(l.Drift) > 0 || l.Error != ""
	}
	return problem, nil
}

func renderLanes(w io.Writer, rep *statusReport) {
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
