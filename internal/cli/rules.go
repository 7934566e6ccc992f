package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/scan"
)

type rulesOptions struct {
	g      *Globals
	domain string
}

func newRulesCmd(g *Globals) *cobra.Command {
	o := &rulesOptions{g: g}
	cmd := &cobra.Command{
		Use:     "rules",
		Short:   "List the built-in check rules with their severity and trivy/checkov IDs",
		Example: "  ferry rules\n  ferry rules --domain kubernetes\n  ferry rules -o json",
		Args:    maxArgs(0),
		RunE:    func(c *cobra.Command, _ []string) error { return o.run() },
	}
	cmd.Flags().StringVar(&o.domain, "domain", "", "only rules of this domain (aws, azure, kubernetes, compliance, schema, policy, syntax)")
	return cmd
}

func (o *rulesOptions) run() error {
	reg, err := scan.Registry()
	if err != nil {
		return err
	}
	var rules []check.Rule
	for _, r := range reg.Rules() {
		if o.domain == "" || r.Domain == o.domain {
			rules = append(rules, r)
		}
	}
	if len(rules) == 0 {
		return usageErr("ferry rules", "no rules in domain %q", o.domain)
	}
	if o.g.JSON() {
		return o.g.WriteJSON(rules)
	}
	tw := tabwriter.NewWriter(o.g.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tDOMAIN\tTITLE\tTRIVY\tCHECKOV")
	for _, r := range rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Domain, r.Title, idList(r.TrivyIDs), idList(r.CheckovIDs))
	}
	return tw.Flush()
}

func idList(ids []string) string {
	if len(ids) == 0 {
		return "-"
	}
	return strings.Join(ids, ",")
}
