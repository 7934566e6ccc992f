package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"ferry.dev/ferry/internal/catalog"
	"ferry.dev/ferry/internal/platform"
)

type catalogOptions struct {
	g      *Globals
	output string
	check  bool
}

func newCatalogCmd(g *Globals) *cobra.Command {
	o := &catalogOptions{g: g}
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "Write the platform's Backstage entities (System, Components, Resources) from ferry.yaml",
		Long: `Write the platform's Backstage catalog entities, generated from ferry.yaml: a System
for the platform, a Component per Kubernetes component, a Resource per Terraform stack
and per environment target, with owner, lifecycle, dependsOn and the annotations
Backstage's plugins read. YAML documents on stdout, or into --output FILE; with --check,
nothing is written and the run fails (exit 1) when FILE is not what would be written.`,
		Example: "  ferry catalog\n  ferry catalog --output catalog-info.yaml\n  ferry catalog --output catalog-info.yaml --check\n  ferry catalog -o json",
		Args:    maxArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			return o.run(c.Context())
		},
	}
	o.addFlags(cmd)
	return cmd
}

func (o *catalogOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	// --output FILE shadows the global --output, as in ferry validate.
	f.StringVar(&o.output, "output", "", "write the entities to FILE (atomically) instead of stdout")
	f.StringVarP(&o.g.Output, "output-format", "o", "text", "output format: text (YAML documents) or json")
	_ = f.MarkHidden("output-format")
	f.BoolVar(&o.check, "check", false, "write nothing; fail when --output FILE is stale")
}

func (o *catalogOptions) validate() error {
	if o.check && o.output == "" {
		return usageErr("ferry catalog --output catalog-info.yaml --check", "--check needs --output FILE to compare")
	}
	if o.check && o.g.JSON() {
		return usageErr("ferry catalog --output catalog-info.yaml --check", "--check compares the YAML file; drop -o json")
	}
	return nil
}

func (o *catalogOptions) run(ctx context.Context) error {
	dir, err := o.g.RepoDir()
	if err != nil {
		return err
	}
	p, err := platform.Load(dir)
	if err != nil {
		return err
	}
	es, err := catalog.Build(ctx, p, dir)
	if err != nil {
		return err
	}
	if o.g.JSON() && o.output == "" {
		return o.g.WriteJSON(es)
	}
	data, err := catalog.Marshal(es)
	if err != nil {
		return fmt.Errorf("catalog: encode: %w", err)
	}
	switch {
	case o.check:
		old, err := os.ReadFile(o.output)
		if err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("catalog: read %s: %w", o.output, err)
		}
		if !bytes.Equal(old, data) {
			return &ProblemError{Err: fmt.Errorf("%s is stale: it is not what ferry catalog generates from ferry.yaml", o.output),
				Try: "ferry catalog --output " + o.output}
		}
		o.g.Progress("%s is up to date (%d entities)", o.output, len(es))
		return nil
	case o.output == "":
		_, err = o.g.Out.Write(data)
		return err
	}
	if err := writeFileAtomic(o.output, data); err != nil {
		return fmt.Errorf("catalog: write %s: %w", o.output, err)
	}
	o.g.Progress("wrote %d entities to %s", len(es), o.output)
	return nil
}
