package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"ferry.dev/ferry/internal/flow"
)

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
