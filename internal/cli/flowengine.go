package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"ferry.dev/ferry/internal/check/scan"
	"ferry.dev/ferry/internal/flow"
)

// openFlow opens the workflow engine on --repo, with the check pipeline
// behind its checks gate.
func openFlow(ctx context.Context, g *Globals) (*flow.Engine, error) {
	dir, err := g.RepoDir()
	if err != nil {
		return nil, err
	}
	return flow.Open(ctx, dir, flow.Options{Progress: g.Err, Checker: flowChecker()})
}

// flowChecker is the check pipeline the checks gate runs on a revision
// that has no passing check run recorded (fail-on from ferry.yaml).
func flowChecker() flow.Checker { return scan.Checker{} }

// validOverride rejects an explicitly empty --override.
func validOverride(set bool, reason, verb string) error {
	if set && strings.TrimSpace(reason) == "" {
		return usageErr("ferry "+verb+" --override \"why, ticket\"", "--override needs a reason")
	}
	return nil
}

// writeGates prints gates as aligned lines.
func writeGates(w io.Writer, gates []flow.Gate) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, gt := range gates {
		verdict := "pass"
		switch {
		case gt.Overridden:
			verdict = "OVERRIDDEN"
		case !gt.Passed:
			verdict = "FAIL"
		}
		fmt.Fprintf(tw, "  gate %s\t%s\t%s\n", gt.Name, verdict, gt.Reason)
	}
	tw.Flush()
}

func writeCommits(w io.Writer, title string, cs []flow.CommitInfo) {
	fmt.Fprintf(w, "%s (%d):\n", title, len(cs))
	for _, c := range cs {
		fmt.Fprintf(w, "    %s %s\n", c.Short, c.Subject)
	}
}

func writeNotes(g *Globals, notes []string) {
	for _, n := range notes {
		g.Progress("note: %s", n)
	}
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
