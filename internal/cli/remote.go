package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"ferry.dev/ferry/internal/api"
	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/view"
)

// remoteVerbs run through --server; the others need the repository.
var remoteVerbs = []string{"status", "history", "sync", "promote", "approve", "release", "rollback"}

func (g *Globals) validateServer(c *cobra.Command) error {
	if g.Server == "" {
		return nil
	}
	if !slices.Contains(remoteVerbs, c.Name()) || c.Parent() == nil || c.Parent().Parent() != nil {
		return usageErr("ferry "+c.Name()+" without --server", "%s does not run through --server (only %s do)", c.Name(), strings.Join(remoteVerbs, ", "))
	}
	return nil
}

// client is the API client of --server, with the token of FERRY_TOKEN or
// --token-file. The token is never printed.
func (g *Globals) client() (*api.Client, error) {
	tok := os.Getenv("FERRY_TOKEN")
	if g.TokenFile != "" {
		b, err := os.ReadFile(g.TokenFile)
		if err != nil {
			return nil, usageErr("ferry --server URL --token-file FILE", "read token file %s: %v", g.TokenFile, errors.Unwrap(err))
		}
		tok = strings.TrimSpace(string(b))
	}
	if tok == "" {
		return nil, usageErr("FERRY_TOKEN=... ferry --server "+g.Server+" (a token of ferry token create)", "--server needs a token")
	}
	c, err := api.NewClient(g.Server, tok)
	if err != nil {
		return nil, usageErr("ferry --server https://ferry.example.com", "%v", err)
	}
	ca := g.CAFile
	if ca == "" {
		ca = os.Getenv("FERRY_CA_FILE")
	}
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			err = errors.Unwrap(err) // the path is in the message already
		} else {
			err = c.TrustPEM(pem)
		}
		if err != nil {
			return nil, usageErr("ferry --server URL --ca-file ca.pem (the PEM certificate of the CA that signed the server's)", "CA file %s: %v", ca, err)
		}
	}
	return c, nil
}

func (o *statusOptions) runRemote(ctx context.Context) error {
	c, err := o.g.client()
	if err != nil {
		return err
	}
	q := url.Values{}
	if o.env != "" {
		q.Set("env", o.env)
	}
	if o.live {
		q.Set("live", "true")
	}
	var rep view.Status
	if err := c.Get(ctx, "/api/v1/status", q, &rep); err != nil {
		return err
	}
	return o.write(&rep)
}

func (o *historyOptions) runRemote(ctx context.Context) error {
	c, err := o.g.client()
	if err != nil {
		return err
	}
	q := url.Values{"limit": {strconv.Itoa(o.limit)}}
	if o.target != "" {
		q.Set("target", o.target)
	}
	var rep view.History
	if err := c.Get(ctx, "/api/v1/history", q, &rep); err != nil {
		return err
	}
	return o.write(&rep)
}

func (o *syncOptions) runRemote(ctx context.Context) error {
	c, err := o.g.client()
	if err != nil {
		return err
	}
	var a api.Action
	err = c.Post(ctx, "/api/v1/environments/"+url.PathEscape(o.env)+"/sync", api.SyncRequest{Ref: o.ref, DryRun: o.dryRun}, &a)
	if err != nil {
		return err
	}
	o.g.Progress("deployment %d of %s runs on %s", a.Deployment, o.env, o.g.Server)
	var rep *deploy.Report
	err = followAction(ctx, c, &a, &rep)
	return o.finish(rep, err)
}

func (o *rollbackOptions) runRemote(ctx context.Context) error {
	c, err := o.g.client()
	if err != nil {
		return err
	}
	var a api.Action
	err = c.Post(ctx, "/api/v1/environments/"+url.PathEscape(o.env)+"/rollback", api.RollbackRequest{To: o.to, NoSync: o.noSync}, &a)
	var synced struct {
		Rollback   *flow.RollbackResult `json:"rollback"`
		Deployment *deploy.Report       `json:"deployment"`
	}
	var res *flow.RollbackResult
	if err == nil {
		if o.noSync {
			err = followAction(ctx, c, &a, &res)
		} else {
			err = followAction(ctx, c, &a, &synced)
			res = synced.Rollback
		}
	} else if ae := (*api.Error)(nil); errors.As(err, &ae) && ae.Result != nil {
		if o.noSync {
			_ = json.Unmarshal(ae.Result, &res)
		} else if json.Unmarshal(ae.Result, &synced) == nil {
			res = synced.Rollback
		}
	}
	if res == nil {
		return err
	}
	return o.write(res, synced.Deployment, err)
}

// followAction waits for a long action and decodes its result into out;
// the error is the action's.
func followAction(ctx context.Context, c *api.Client, a *api.Action, out any) error {
	a, err := c.Follow(ctx, a)
	if err != nil {
		return err
	}
	if len(a.Result) > 0 {
		if err := json.Unmarshal(a.Result, out); err != nil {
			return fmt.Errorf("decode the result of action %s: %w", a.ID, err)
		}
	}
	if a.Error != nil {
		return a.Error
	}
	return nil
}

// resultOf decodes the report a server's error carries (a blocked
// promotion's gates) into out, reporting whether there was one.
func resultOf(err error, out any) bool {
	var ae *api.Error
	return errors.As(err, &ae) && len(ae.Result) > 0 && json.Unmarshal(ae.Result, out) == nil
}

func (o *promoteOptions) runRemote(ctx context.Context) error {
	c, err := o.g.client()
	if err != nil {
		return err
	}
	var res flow.Result
	err = c.Post(ctx, "/api/v1/lanes/"+url.PathEscape(o.lane)+"/promote", api.PromoteRequest{DryRun: o.dryRun, Override: o.override, Ref: o.ref}, &res)
	if err == nil || resultOf(err, &res) {
		if werr := o.write(&res); werr != nil {
			return werr
		}
	}
	return err
}

func (o *approveOptions) runRemote(ctx context.Context) error {
	c, err := o.g.client()
	if err != nil {
		return err
	}
	var a flow.Approval
	if err := c.Post(ctx, "/api/v1/lanes/"+url.PathEscape(o.lane)+"/approve", api.ApproveRequest{Revision: o.revision, Comment: o.comment}, &a); err != nil {
		return err
	}
	return o.write(&a)
}

func (o *releaseOptions) runRemote(ctx context.Context) error {
	c, err := o.g.client()
	if err != nil {
		return err
	}
	var res flow.ReleaseResult
	err = c.Post(ctx, "/api/v1/release", api.ReleaseRequest{RC: o.rc, Bump: o.bump, DryRun: o.dryRun, Override: o.override}, &res)
	if err == nil || resultOf(err, &res) {
		if werr := o.write(&res); werr != nil {
			return werr
		}
	}
	return err
}
