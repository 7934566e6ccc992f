package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/auth"
	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

type tokenOptions struct {
	g    *Globals
	role string
	envs []string
}

func newTokenCmd(g *Globals) *cobra.Command {
	o := &tokenOptions{g: g}
	cmd := &cobra.Command{
		Use:   "token create|list|revoke",
		Short: "API tokens of ferry serve: roles viewer, deployer, admin, scoped to environments",
		Long: `Manage the bearer tokens ferry serve's API accepts, in the platform's store.
viewer reads; deployer also syncs, approves, promotes and rolls back the
environments of its --env scope (all when unset), production excepted;
admin may also release, override gates, act on production and manage
tokens. The token is printed once; the store keeps only its SHA-256.`,
		Args: exactArgs(0),
	}
	create := &cobra.Command{
		Use:     "create NAME --role viewer|deployer|admin [--env ENV,...]",
		Short:   "Make a token and print it once",
		Example: "  ferry token create ci --role deployer --env dev,staging\n  ferry token create ana --role admin -o json",
		Args:    exactArgs(1),
		RunE:    func(c *cobra.Command, args []string) error { return o.create(c.Context(), args[0]) },
	}
	create.Flags().StringVar(&o.role, "role", "", "viewer, deployer or admin (required)")
	create.Flags().StringSliceVar(&o.envs, "env", nil, "environments the token may act on (default: all)")
	list := &cobra.Command{
		Use: "list", Short: "List tokens (never the tokens themselves)", Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error { return o.list(c.Context()) },
	}
	revoke := &cobra.Command{
		Use: "revoke NAME", Short: "Revoke a token at once", Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return o.revoke(c.Context(), args[0]) },
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}

// openTokenStore opens the store of --repo's platform.
func (o *tokenOptions) openStore(ctx context.Context) (*platform.Platform, store.Store, error) {
	dir, err := o.g.RepoDir()
	if err != nil {
		return nil, nil, err
	}
	p, err := platform.Load(dir)
	if err != nil {
		return nil, nil, err
	}
	st, err := app.OpenStore(ctx, p)
	return p, st, err
}

func (o *tokenOptions) create(ctx context.Context, name string) error {
	switch o.role {
	case store.RoleViewer, store.RoleDeployer, store.RoleAdmin:
	default:
		return usageErr("ferry token create "+name+" --role viewer|deployer|admin", "--role must be viewer, deployer or admin")
	}
	if err := auth.ValidateTokenRequest(name, o.role); err != nil {
		return usageErr("ferry token create ci-bot --role viewer", "%v", err)
	}
	p, st, err := o.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, e := range o.envs {
		if _, ok := p.Env(e); !ok {
			return usageErr("ferry config show to list the environments", "--env: unknown environment %q", e)
		}
	}
	t, tok, err := auth.Create(ctx, st, name, o.role, o.envs, o.actor(ctx, p))
	if errors.Is(err, store.ErrExists) {
		return usageErr("ferry token revoke "+name+", or another name", "token %s exists", name)
	}
	if err != nil {
		return err
	}
	if o.g.JSON() {
		return o.g.WriteJSON(struct {
			ID        int64     `json:"id"`
			Name      string    `json:"name"`
			Role      string    `json:"role"`
			Envs      []string  `json:"envs,omitempty"`
			CreatedAt time.Time `json:"createdAt"`
			Token     string    `json:"token"`
		}{t.ID, t.Name, t.Role, t.Envs, t.CreatedAt, tok})
	}
	fmt.Fprintln(o.g.Out, tok)
	o.g.Progress("token %s (%s, %s) created; it is shown only this once", name, o.role, scopeText(o.envs))
	return nil
}

func (o *tokenOptions) list(ctx context.Context) error {
	_, st, err := o.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ts, err := st.Tokens(ctx)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []store.Token{}
	}
	if o.g.JSON() {
		return o.g.WriteJSON(ts)
	}
	tw := tabwriter.NewWriter(o.g.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tENVS\tCREATED\tLAST USED\tREVOKED")
	for _, t := range ts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, t.Role, scopeText(t.Envs), stamp(t.CreatedAt),
			stamp(t.LastUsedAt), stamp(t.RevokedAt))
	}
	return tw.Flush()
}

func (o *tokenOptions) revoke(ctx context.Context, name string) error {
	p, st, err := o.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := auth.Revoke(ctx, st, name, o.actor(ctx, p)); errors.Is(err, store.ErrNotFound) {
		return usageErr("ferry token list", "no active token %s", name)
	} else if err != nil {
		return err
	}
	if o.g.JSON() {
		return o.g.WriteJSON(map[string]string{"revoked": name})
	}
	fmt.Fprintf(o.g.Out, "revoked %s\n", name)
	return nil
}

// actor is who the token events name: the one actor rule.
func (o *tokenOptions) actor(ctx context.Context, p *platform.Platform) string {
	repo, err := git.Open(p.Dir)
	if err != nil {
		return ""
	}
	a, _ := repo.Actor(ctx)
	return a
}

func scopeText(envs []string) string {
	if len(envs) == 0 {
		return "all environments"
	}
	return strings.Join(envs, ",")
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}
