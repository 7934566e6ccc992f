package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X ferry.dev/ferry/internal/cli.Version=…".
var Version = "dev"

type versionInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	Go      string `json:"go"`
}

func newVersionCmd(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print ferry's version",
		Args:  exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			info := versionInfo{Version: Version, Go: runtime.Version()}
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, s := range bi.Settings {
					if s.Key == "vcs.revision" {
						info.Commit = s.Value
					}
				}
			}
			if g.JSON() {
				return g.WriteJSON(info)
			}
			fmt.Fprintf(g.Out, "ferry %s (%s)\n", info.Version, info.Go)
			return nil
		},
	}
}
