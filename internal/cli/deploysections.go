package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/view"
)

func renderEnvs(w io.Writer, rep *view.Status) {
	if len(rep.Environments) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENV\tTARGET\tREVISION\tVERSION\tLAST\tHEALTH\tDRIFT")
	for _, t := range rep.Environments {
		drift := "no"
		if t.Drift {
			drift = "yes: " + strings.Join(t.DriftDetails, "; ")
		}
		if t.Revision == "" {
			drift = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Env, t.Target, dash(short(t.Revision)), dash(t.Version),
			dash(string(t.Deployment)), t.Health, drift)
	}
	tw.Flush()
	for _, t := range rep.Environments {
		if t.Error != "" {
			fmt.Fprintf(w, "error on %s/%s: %s\n", t.Env, t.Target, t.Error)
		}
	}
}

func renderDeployments(w io.Writer, rep *view.History) {
	if rep.Env == "" {
		return
	}
	fmt.Fprintf(w, "\ndeployments of %s:\n", rep.Env)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTARTED\tSTATUS\tREVISION\tVERSION\tACTOR\tSUMMARY")
	for _, d := range rep.Deployments {
		sum := d.Summary
		if len(sum) > 100 {
			sum = sum[:97] + "..."
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.StartedAt.UTC().Format("2006-01-02 15:04"), d.Status,
			short(d.Revision), dash(d.Version), d.Actor, dash(sum))
	}
	tw.Flush()
}

// writeSynced prints a rollback and the deployment of its commit (or, when
// the lane already had the tag's tree, of the lane head). -o json prints
// {rollback, deployment}.
func (o *rollbackOptions) writeSynced(res *flow.RollbackResult, rep *deploy.Report, err error) error {
	if !o.g.JSON() {
		if res.UpToDate {
			fmt.Fprintf(o.g.Out, "up to date: %s (%s) already has %s's tree\n", res.Env, res.Lane, res.Tag)
		} else {
			fmt.Fprintf(o.g.Out, "rolled back %s: %s is now at %s with the tree of %s (was %s)\n", res.Env, res.Lane, short(res.Commit), res.Tag, short(res.Previous))
		}
	}
	if o.g.JSON() {
		if werr := o.g.WriteJSON(struct {
			Rollback   *flow.RollbackResult `json:"rollback"`
			Deployment *deploy.Report       `json:"deployment"`
		}{res, rep}); werr != nil {
			return werr
		}
	} else if rep != nil {
		writeReport(o.g.Out, rep)
	}
	if err != nil {
		return &ProblemError{Err: err, Try: "ferry history " + o.env}
	}
	return nil
}

func renderAgent(w io.Writer, rep *view.Status) {
	if len(rep.Agent) == 0 {
		return
	}
	fmt.Fprintln(w, "\nagent (ferry serve), last outcome:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, a := range rep.Agent {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", a.Env, a.At.UTC().Format("2006-01-02 15:04:05"), a.Action, a.Message)
	}
	tw.Flush()
}
