package auth

import (
	"fmt"
	"slices"

	"ferry.dev/ferry/internal/store"
)

// Principal is who a token authenticated: its name is the actor every
// record of their actions names.
type Principal struct {
	Name    string
	Role    string
	Envs    []string // empty: every environment
	TokenID int64
}

// Action is what a request asks to do.
type Action string

const (
	Read     Action = "read"
	Sync     Action = "sync"
	Promote  Action = "promote"
	Approve  Action = "approve"
	Rollback Action = "rollback"
	// Override is a promotion or release despite failed gates.
	Override Action = "override"
	Release  Action = "release"
	// Tokens is managing API tokens.
	Tokens Action = "tokens"
)

// Target is what an action acts on: an environment ("" for none, e.g. a
// lane that feeds none) and whether that is production.
type Target struct {
	Env        string
	Production bool
}

// ForbiddenError: the principal may not perform the action there.
type ForbiddenError struct {
	Principal Principal
	Action    Action
	Target    Target
	Why       string
}

func (e *ForbiddenError) Error() string {
	return fmt.Sprintf("%s (%s) may not %s: %s", e.Principal.Name, e.Principal.Role, e.Action, e.Why)
}

// Hint says who can.
func (e *ForbiddenError) Hint() string {
	switch {
	case e.Why == whyScope:
		return "use a token whose --env includes " + e.Target.Env
	case e.Action == Read:
		return "use a token of ferry token create"
	}
	return "ask an admin: ferry token create NAME --role " + needs(e.Action, e.Target)
}

const whyScope = "out of the token's environment scope"

// needs is the least role that may perform a on t.
func needs(a Action, t Target) string {
	switch {
	case a == Read:
		return store.RoleViewer
	case a == Override || a == Release || a == Tokens || t.Production:
		return store.RoleAdmin
	}
	return store.RoleDeployer
}

var rank = map[string]int{store.RoleViewer: 1, store.RoleDeployer: 2, store.RoleAdmin: 3}

// Allow says whether p may perform a on t: its role must reach the least
// role the action needs (production actions, releases, overrides and
// token management need admin), and an action on an environment must be
// in the token's scope. Reads are never scoped.
func Allow(p Principal, a Action, t Target) error {
	if rank[p.Role] < rank[needs(a, t)] {
		return &ForbiddenError{Principal: p, Action: a, Target: t, Why: "needs the " + needs(a, t) + " role"}
	}
	if a == Read || len(p.Envs) == 0 {
		return nil
	}
	if a == Tokens || t.Env == "" || !slices.Contains(p.Envs, t.Env) {
		return &ForbiddenError{Principal: p, Action: a, Target: t, Why: whyScope}
	}
	return nil
}
