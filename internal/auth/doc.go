// Package auth decides who may use ferry serve's API and what they may do:
// bearer tokens (made, hashed and checked here; stored by package store),
// the three roles and their environment scope, and the rate limit on
// failed authentication per client address.
//
// It owns no HTTP routes and no use cases: package server asks it who a
// request is (Authenticator.Authenticate) and whether that principal may
// perform an action on an environment (Allow), then calls package app.
//
// Roles: viewer reads; deployer also syncs, approves, promotes and rolls
// back the environments in its scope, production excepted; admin may do
// everything in its scope: releases, gate overrides, production, and the
// tokens themselves. A token without --env has every environment in scope.
package auth
