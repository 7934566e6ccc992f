package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"ferry.dev/ferry/internal/flow"
)

type releaseOptions struct {
	g           *Globals
	rc          bool
	bump        string
	dryRun      bool
	override    string
	overrideSet bool
	parsedBump  flow.Bump
}

func newReleaseCmd(g *Globals) *cobra.Command {
	o := &releaseOptions{g: g}
	cmd := &cobra.Command{
		Use:   "release",
		Short: "Version, tag and changelog: move main into the release lane",
		Long: `Compute the next semantic version from the Conventional Commits on main since
the last version tag (feat → minor, fix → patch, ! or BREAKING CHANGE → major;
before 1.0.0 a breaking change bumps minor), move the release lane to a merge
of main whose tree is main's exactly, except CHANGELOG.md: the release lane's
released sections with the new one on top; and write the annotated
tag vX.Y.Z (or vX.Y.Z-rc.N with --rc) whose message is that section. The lane
and the tag land together or not at all.`,
		Example: "  ferry release\n  ferry release --rc\n  ferry release --bump minor --dry-run",
		Args:    exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			o.overrideSet = c.Flags().Changed("override")
			if err := o.validate(); err != nil {
				return err
			}
			return o.run(c.Context())
		},
	}
	o.addFlags(cmd)
	return cmd
}

func (o *releaseOptions) addFlags(c *cobra.Command) {
	c.Flags().BoolVar(&o.rc, "rc", false, "make a release candidate vX.Y.Z-rc.N")
	c.Flags().StringVar(&o.bump, "bump", "auto", "auto, major, minor or patch")
	c.Flags().BoolVar(&o.dryRun, "dry-run", false, "show the version and changelog, change nothing")
	c.Flags().StringVar(&o.override, "override", "", "break-glass: release despite failed gates, recording this reason")
}

func (o *releaseOptions) validate() error {
	b, err := flow.ParseBump(o.bump)
	if err != nil {
		return usageErr("ferry release --bump auto|major|minor|patch", "%v", err)
	}
	o.parsedBump = b
	return validOverride(o.overrideSet, o.override, "release")
}

func (o *releaseOptions) run(ctx context.Context) error {
	if o.g.Server != "" {
		return o.runRemote(ctx)
	}
	ap, _, err := openApp(ctx, o.g)
	if err != nil {
		return err
	}
	defer ap.Close()
	res, err := ap.Release(ctx, flow.ReleaseOptions{RC: o.rc, Bump: o.parsedBump, DryRun: o.dryRun, Override: o.override})
	if res != nil {
		if werr := o.write(res); werr != nil {
			return werr
		}
	}
	return err
}

func (o *releaseOptions) write(res *flow.ReleaseResult) error {
	writeNotes(o.g, res.Notes)
	if o.g.JSON() {
		return o.g.WriteJSON(res)
	}
	w := o.g.Out
	fmt.Fprintf(w, "release %s -> %s\n", res.From, res.To)
	if res.RolledBack != "" {
		fmt.Fprintf(w, "  %s is rolled back to %s: this replaces its tree with %s's\n", res.To, res.RolledBack, short(res.Candidate))
	}
	writeGates(w, res.Gates)
	if res.Tag == "" {
		return nil
	}
	prev := res.Previous
	if prev == "" {
		prev = "(none)"
	}
	fmt.Fprintf(w, "  version %s (previous %s, bump %s, %d change(s))\n\n%s\n", res.Tag, prev, res.Bump, len(res.Changes), res.Changelog)
	if res.Commit != "" {
		fmt.Fprintf(w, "released %s: %s is now at %s\n", res.Tag, res.To, short(res.Commit))
	} else if res.DryRun {
		fmt.Fprintf(w, "dry run: would tag %s\n", res.Tag)
	}
	return nil
}
