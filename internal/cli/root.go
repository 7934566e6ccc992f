package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// Streams are the standard streams a verb reads and writes.
type Streams struct {
	In  io.Reader
	Out io.Writer // parseable results
	Err io.Writer // errors and progress
}

// Globals are the flags every verb takes.
type Globals struct {
	Repo   string // --repo DIR
	Output string // -o text|json
	// Server runs the verb through a ferry serve API (--server URL), the
	// token from FERRY_TOKEN or TokenFile.
	Server    string
	TokenFile string
	// CAFile is the PEM CA bundle --server trusts instead of the system's
	// (default $FERRY_CA_FILE).
	CAFile string
	Streams
}

// JSON reports whether the user asked for machine output.
func (g *Globals) JSON() bool { return g.Output == "json" }

// RepoDir returns the absolute platform repository directory.
func (g *Globals) RepoDir() (string, error) {
	dir, err := filepath.Abs(g.Repo)
	if err != nil {
		return "", fmt.Errorf("resolve --repo %q: %w", g.Repo, err)
	}
	return dir, nil
}

// WriteJSON writes v as indented JSON on stdout.
func (g *Globals) WriteJSON(v any) error {
	enc := json.NewEncoder(g.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Progress writes a progress line on stderr (never stdout, which stays parseable).
func (g *Globals) Progress(format string, args ...any) {
	fmt.Fprintf(g.Err, format+"\n", args...)
}

func (g *Globals) validate() error {
	switch g.Output {
	case "text", "json":
		return nil
	}
	return usageErr("use -o text or -o json", "unknown output format %q", g.Output)
}

// Main runs ferry with args and returns the process exit code.
func Main(args []string, in io.Reader, out, errw io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, args, Streams{In: in, Out: out, Err: errw})
}

// Run executes the command tree in-process; tests call it directly.
func Run(ctx context.Context, args []string, s Streams) int {
	root := NewRoot(s)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil && strings.HasPrefix(err.Error(), "unknown command") {
		err = &UsageError{Err: err, Try: "ferry --help"}
	}
	if err != nil {
		printError(s.Err, err)
	}
	return exitCode(err)
}

// NewRoot builds the whole command tree. Wiring happens here, in one place.
func NewRoot(s Streams) *cobra.Command {
	g := &Globals{Streams: s}
	root := &cobra.Command{
		Use:   "ferry",
		Short: "GitOps for platform teams: Terraform and Kubernetes, lanes, checks, promotions, releases",
		Long: `ferry runs a platform team's GitOps workflow end to end, with Git as the single
source of truth: Terraform and Kubernetes in one platform repository described by
ferry.yaml, lanes develop → staging → main → release, checks on every merge,
gated promotions, semantic version tags and rollback to any of them.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(c *cobra.Command, _ []string) error {
			if err := g.validate(); err != nil {
				return err
			}
			return g.validateServer(c)
		},
	}
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &UsageError{Err: err, Try: fmt.Sprintf("ferry %s --help", c.Name())}
	})
	pf := root.PersistentFlags()
	pf.StringVar(&g.Repo, "repo", ".", "platform repository directory")
	pf.StringVarP(&g.Output, "output", "o", "text", "output format: text or json")
	pf.StringVar(&g.Server, "server", "", "run status, history, sync, promote, approve, release or rollback through a ferry serve API at this URL (token: $FERRY_TOKEN or --token-file)")
	pf.StringVar(&g.TokenFile, "token-file", "", "file with the API token for --server (default: $FERRY_TOKEN)")
	pf.StringVar(&g.CAFile, "ca-file", "", "PEM CA certificates --server trusts instead of the system's (default: $FERRY_CA_FILE)")

	for _, add := range verbs {
		root.AddCommand(add(g))
	}
	return root
}

// verbs lists every verb's constructor; each verb file adds itself to this
// list in the one place below, keeping the wiring visible.
var verbs = []func(*Globals) *cobra.Command{
	newVersionCmd,
	newConfigCmd,
	newInitCmd,
	newFlowCmd,
	newPromoteCmd,
	newApproveCmd,
	newReleaseCmd,
	newDiffCmd,
	newStatusCmd,
	newHistoryCmd,
	newPlanCmd,
	newSyncCmd,
	newRollbackCmd,
	newValidateCmd,
	newRulesCmd,
	newServeCmd,
	newDoraCmd,
	newTokenCmd,
	newCatalogCmd,
	newPreviewCmd,
	newHydrateCmd,
	newExportCmd,
}

// exactArgs is cobra.ExactArgs with a usage error (exit 2).
func exactArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErr(fmt.Sprintf("ferry %s --help", c.CommandPath()[len("ferry "):]),
				"%s takes %d argument(s), got %d", c.Name(), n, len(args))
		}
		return nil
	}
}

// maxArgs is cobra.MaximumNArgs with a usage error (exit 2).
func maxArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) > n {
			return usageErr(fmt.Sprintf("ferry %s --help", c.CommandPath()[len("ferry "):]),
				"%s takes at most %d argument(s), got %d", c.Name(), n, len(args))
		}
		return nil
	}
}
