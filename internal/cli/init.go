package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"ferry.dev/ferry/internal/scaffold"
)

// initOptions are `ferry init`'s options.
type initOptions struct {
	g     *Globals
	dir   string
	force bool
}

// initResult is the stable -o json shape of `ferry init`.
type initResult struct {
	Path   string   `json:"path"`
	Commit string   `json:"commit"`
	Branch string   `json:"branch"`
	Lanes  []string `json:"lanes"`
	Tag    string   `json:"tag"`
	Files  int      `json:"files"`
}

func newInitCmd(g *Globals) *cobra.Command {
	o := &initOptions{g: g}
	cmd := &cobra.Command{
		Use:   "init DIR",
		Short: "Scaffold the reference platform repository, with lanes and a first tag",
		Long: `Write the reference platform (ferry.yaml, Terraform modules and stacks, kustomize
apps, policies, Backstage catalog, dev container, CI workflow) into DIR, make it a
Git repository with a first commit on main, create the other lanes at that commit
and tag it v0.1.0. Works offline. DIR must be empty or missing unless --force is
given; --force overwrites the reference files and keeps other files.`,
		Example: "  ferry init my-platform\n  ferry init . --force -o json",
		Args:    exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.dir = args[0]
			if err := o.validate(); err != nil {
				return err
			}
			return o.run(c.Context())
		},
	}
	o.addFlags(cmd)
	return cmd
}

func (o *initOptions) addFlags(c *cobra.Command) {
	c.Flags().BoolVar(&o.force, "force", false, "write into a non-empty directory, overwriting the reference files")
}

func (o *initOptions) validate() error {
	if strings.TrimSpace(o.dir) == "" {
		return usageErr("ferry init DIR", "init needs a directory, got an empty name")
	}
	return nil
}

func (o *initOptions) run(ctx context.Context) error {
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", o.dir, err)
	}
	files, err := scaffold.Files()
	if err != nil {
		return err
	}
	o.g.Progress("Writing the reference platform (%d files) to %s", len(files), dir)
	repo, err := scaffold.Init(ctx, dir, o.force)
	if err != nil {
		return err
	}
	res := initResult{Path: repo.Dir, Commit: repo.Commit, Branch: repo.Branch,
		Lanes: repo.Lanes, Tag: repo.Tag, Files: len(files)}
	if o.g.JSON() {
		return o.g.WriteJSON(res)
	}
	fmt.Fprintf(o.g.Out, "path    %s\n", res.Path)
	fmt.Fprintf(o.g.Out, "commit  %s (%s)\n", res.Commit, res.Branch)
	fmt.Fprintf(o.g.Out, "lanes   %s\n", strings.Join(res.Lanes, ", "))
	fmt.Fprintf(o.g.Out, "tag     %s\n", res.Tag)
	o.g.Progress("Next: cd %s && ferry validate", o.dir)
	return nil
}
