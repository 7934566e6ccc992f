package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"ferry.dev/ferry/internal/store"
)

// Token events of the audit log.
const (
	EventTokenCreated = "token.created"
	EventTokenRevoked = "token.revoked"
)

// TokenManager is the part of the store managing tokens needs.
type TokenManager interface {
	CreateToken(ctx context.Context, t store.Token) (store.Token, error)
	RevokeToken(ctx context.Context, name string) error
	AppendEvent(ctx context.Context, e store.Event) (int64, error)
}

// InvalidTokenError: a token request the store would refuse (name, role).
type InvalidTokenError struct{ Msg string }

func (e *InvalidTokenError) Error() string     { return e.Msg }
func (e *InvalidTokenError) ConfigError() bool { return true }

// ValidateTokenRequest checks a token's name and role.
func ValidateTokenRequest(name, role string) error {
	switch {
	case strings.TrimSpace(name) == "" || strings.ContainsAny(name, " \t\r\n") || len(name) > 100:
		return &InvalidTokenError{Msg: fmt.Sprintf("token name %q must be one word", name)}
	case role != store.RoleViewer && role != store.RoleDeployer && role != store.RoleAdmin:
		return &InvalidTokenError{Msg: fmt.Sprintf("role %q must be viewer, deployer or admin", role)}
	}
	return nil
}

// Create makes a token, stores its hash and records who made it (never
// the token). It returns the record and the token, to be shown once.
func Create(ctx context.Context, st TokenManager, name, role string, envs []string, actor string) (store.Token, string, error) {
	if err := ValidateTokenRequest(name, role); err != nil {
		return store.Token{}, "", err
	}
	tok, hash, err := NewToken()
	if err != nil {
		return store.Token{}, "", err
	}
	t, err := st.CreateToken(ctx, store.Token{Name: name, Hash: hash, Role: role, Envs: envs})
	if err != nil {
		return store.Token{}, "", err
	}
	scope := "all environments"
	if len(envs) > 0 {
		scope = strings.Join(envs, ",")
	}
	_, err = st.AppendEvent(ctx, store.Event{Kind: EventTokenCreated, Actor: actor,
		Message: fmt.Sprintf("token %s (%s, %s) created", name, role, scope)})
	return t, tok, err
}

// Revoke revokes the active token named name and records who did.
func Revoke(ctx context.Context, st TokenManager, name, actor string) error {
	if err := st.RevokeToken(ctx, name); err != nil {
		return err
	}
	_, err := st.AppendEvent(ctx, store.Event{Kind: EventTokenRevoked, Actor: actor, Message: "token " + name + " revoked"})
	return err
}

// IsExists says the name is taken by an active token.
func IsExists(err error) bool { return errors.Is(err, store.ErrExists) }
