package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"ferry.dev/ferry/internal/platform"
)

func newConfigCmd(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check or show the platform model (ferry.yaml)",
		Args:  cobra.ArbitraryArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErr("ferry config --help", "unknown config subcommand %q (want check or show)", args[0])
			}
			return usageErr("ferry config --help", "config needs a subcommand: check or show")
		},
	}
	cmd.AddCommand(newConfigCheckCmd(g), newConfigShowCmd(g))
	return cmd
}

// configCheckOptions are `ferry config check`'s options: only the globals.
type configCheckOptions struct{ g *Globals }

// configCheckResult is the stable -o json shape of `ferry config check`.
type configCheckResult struct {
	OK       bool               `json:"ok"`
	Problems []platform.Problem `json:"problems"`
}

func newConfigCheckCmd(g *Globals) *cobra.Command {
	o := &configCheckOptions{g: g}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Load ferry.yaml strictly and report every problem with file:line and field path",
		Long: `Load ferry.yaml strictly (unknown fields, wrong types, bad references, dependsOn
cycles, missing paths are errors) and print every problem at once. Exit 0 when the
model is valid, 2 when it has problems.`,
		Args: exactArgs(0),
		RunE: func(*cobra.Command, []string) error { return o.run() },
	}
	o.addFlags(cmd)
	return cmd
}

func (o *configCheckOptions) addFlags(*cobra.Command) {}

func (o *configCheckOptions) run() error {
	dir, err := o.g.RepoDir()
	if err != nil {
		return err
	}
	p, err := platform.Load(dir)
	var ce *platform.ConfigError
	var le *platform.LoadError
	switch {
	case err == nil:
	case errors.As(err, &ce):
	case errors.As(err, &le) && o.g.JSON():
		ce = &platform.ConfigError{Problems: []platform.Problem{{File: platform.FileName, Msg: le.Err.Error()}}}
	default:
		return err // Error + Try, exit 2 for a missing file
	}
	if ce != nil {
		return o.reportProblems(ce.Problems)
	}
	if o.g.JSON() {
		return o.g.WriteJSON(configCheckResult{OK: true, Problems: []platform.Problem{}})
	}
	fmt.Fprintf(o.g.Out, "%s: ok (%s, %s, %s)\n", platform.FileName, countNoun(len(p.Spec.Lanes), "lane"),
		countNoun(len(p.Spec.Environments), "environment"), countNoun(len(p.Spec.Components), "component"))
	return nil
}

// countNoun writes "1 lane", "4 lanes".
func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// reportProblems writes the problems on stdout and returns an exit-2 error.
func (o *configCheckOptions) reportProblems(probs []platform.Problem) error {
	if o.g.JSON() {
		if err := o.g.WriteJSON(configCheckResult{OK: false, Problems: probs}); err != nil {
			return err
		}
	} else {
		for _, p := range probs {
			fmt.Fprintln(o.g.Out, p.Error())
		}
	}
	return &UsageError{Err: fmt.Errorf("%s: %s", platform.FileName, countNoun(len(probs), "problem"))}
}

// configShowOptions are `ferry config show`'s options: only the globals.
type configShowOptions struct{ g *Globals }

func newConfigShowCmd(g *Globals) *cobra.Command {
	o := &configShowOptions{g: g}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Print the effective platform model, defaults included (the store DSN is never shown)",
		Args:  exactArgs(0),
		RunE:  func(*cobra.Command, []string) error { return o.run() },
	}
	o.addFlags(cmd)
	return cmd
}

func (o *configShowOptions) addFlags(*cobra.Command) {}

func (o *configShowOptions) run() error {
	dir, err := o.g.RepoDir()
	if err != nil {
		return err
	}
	p, err := platform.Load(dir)
	if err != nil {
		return err
	}
	shown := *p
	shown.Spec.Store.DSN = "" // may hold credentials; never printed
	if o.g.JSON() {
		return o.g.WriteJSON(&shown)
	}
	enc := yaml.NewEncoder(o.g.Out)
	enc.SetIndent(2)
	if err := enc.Encode(&shown); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	return enc.Close()
}
