package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/kube"
)

// writeReport prints a plan or sync report as text: one line per
// component, then the object changes and Terraform resource changes.
func writeReport(w io.Writer, rep *deploy.Report) {
	rev := short(rep.Revision)
	if rep.Version != "" {
		rev += " (" + rep.Version + ")"
	}
	fmt.Fprintf(w, "%s at %s: %s\n", rep.Env, rev, rep.Status)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, t := range rep.Targets {
		for _, c := range t.Components {
			res := c.Summary()
			if c.Error != "" {
				res = "FAILED: " + c.Error
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", t.Target, c.Component, c.Type, res)
		}
	}
	tw.Flush()
	for _, t := range rep.Targets {
		for _, c := range t.Components {
			writeComponentChanges(w, t.Target, c)
		}
	}
	if rep.RolledBack != "" {
		fmt.Fprintf(w, "rolled the failed target back to %s\n", short(rep.RolledBack))
	}
}

func writeComponentChanges(w io.Writer, target string, c deploy.ComponentReport) {
	if c.Terraform != nil {
		for _, ch := range c.Terraform.Changes {
			fmt.Fprintf(w, "    %s/%s: %s %s\n", target, c.Component, ch.Action, ch.Address)
		}
	}
	for _, ch := range c.Kube {
		if ch.Action == kube.ActionUnchanged {
			continue
		}
		fmt.Fprintf(w, "    %s/%s: %s %s\n", target, c.Component, ch.Action, ch.ID)
		for _, f := range ch.Fields {
			fmt.Fprintf(w, "        %s %s%s\n", f.Op, f.Path, fieldValues(f))
		}
	}
}

func fieldValues(f kube.FieldChange) string {
	var parts []string
	if f.Old != nil {
		parts = append(parts, fmt.Sprintf("%v", f.Old))
	}
	if f.New != nil {
		parts = append(parts, fmt.Sprintf("%v", f.New))
	}
	if len(parts) == 0 {
		return ""
	}
	s := strings.Join(parts, " -> ")
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return ": " + s
}
