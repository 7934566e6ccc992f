package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"ferry.dev/ferry/internal/preview"
)

type previewOptions struct {
	g                  *Globals
	o                  preview.Options
	envs, format       string
	output, jsonOutput string
}

func newPreviewCmd(g *Globals) *cobra.Command {
	o := &previewOptions{g: g}
	cmd := &cobra.Command{
		Use:   "preview --base REV --head REV [--env ENV,...] [--format markdown|json]",
		Short: "What merging a branch would do: findings, Kubernetes diffs, Terraform",
		Long: `Compare two revisions, typically a topic branch (--head) and the lane it
merges into (--base): the check findings the change adds and resolves, and
per environment the Kubernetes objects it creates, configures (field by
field; Secret values masked) and prunes, rendered from each revision as
ferry sync renders them, with the Terraform components whose files it
touches. --plan adds ferry plan's view of the head (Terraform plan summaries,
the server-side dry-run against the live clusters), which needs them.

--format markdown (the default) fits one pull request comment: a summary,
details folded, cut to stay under 65,536 characters with a pointer to the
full JSON (--json-output FILE writes it alongside). Writes nothing else;
exit 0 whatever the change does.`,
		Example: "  ferry preview --base develop --head feature/new-service\n" +
			"  ferry preview --base develop --head HEAD --output preview.md --json-output preview.json",
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error { return o.run(c.Context()) },
	}
	f := cmd.Flags()
	f.StringVar(&o.o.Base, "base", "", "the revision merged into (required)")
	f.StringVar(&o.o.Head, "head", "", "the revision to merge (required)")
	f.StringVar(&o.envs, "env", "", "environments, comma-separated (default: all)")
	f.StringVar(&o.format, "format", "markdown", "markdown or json")
	f.StringVar(&o.output, "output", "", "write the preview to FILE instead of stdout")
	f.StringVar(&o.jsonOutput, "json-output", "", "also write the full preview as JSON to FILE (the Markdown points at it when cut)")
	f.BoolVar(&o.o.Plan, "plan", false, "add ferry plan for the head: Terraform plans and the live dry-run (needs clusters and backends)")
	return cmd
}

func (o *previewOptions) run(ctx context.Context) error {
	if o.o.Base == "" || o.o.Head == "" {
		return usageErr("ferry preview --base develop --head feature/x", "preview needs --base and --head")
	}
	format := o.format
	if o.g.JSON() {
		format = "json"
	}
	if format != "markdown" && format != "json" {
		return usageErr("ferry preview --format markdown, or --format json", "unknown format %q", o.format)
	}
	if o.envs != "" {
		o.o.Envs = strings.Split(o.envs, ",")
	}
	ap, err := openDeploy(ctx, o.g)
	if err != nil {
		return err
	}
	defer ap.Close()
	o.o.PlanOptions = ap.DeployOptions()
	p, err := preview.Run(ctx, ap.P.Dir, o.o)
	if err != nil {
		return err
	}
	if o.jsonOutput != "" {
		if err := writeJSONFile(o.jsonOutput, p); err != nil {
			return err
		}
	}
	var out []byte
	if format == "json" {
		out, err = jsonIndent(p)
		if err != nil {
			return err
		}
	} else {
		out = []byte(p.Markdown(preview.MarkdownOptions{FullJSON: o.jsonOutput}))
	}
	if o.output == "" {
		_, err = o.g.Out.Write(out)
		return err
	}
	if err := writeFileAtomic(o.output, out); err != nil {
		return fmt.Errorf("write %s: %w", o.output, err)
	}
	o.g.Progress("preview written to %s", o.output)
	return nil
}

func writeJSONFile(path string, v any) error {
	b, err := jsonIndent(v)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(path, b); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func jsonIndent(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	return append(b, '\n'), err
}
