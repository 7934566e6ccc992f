// Package server is ferry serve's HTTP side: /healthz (the process is
// alive), /readyz (store reachable, mirror fetched, role known), the Git
// host webhooks under /hooks/ (package webhook verifies them; the agent is
// only told to fetch), /metrics, and the API under /api/v1: bearer tokens
// and roles (package auth), reads built by package view, actions through
// package app exactly as the command line runs them, the SSE event
// stream, and the OpenAPI document of package api that every response is
// tested against.
//
// Handlers are thin: decode → authenticate and authorize → use case or
// read model → encode. Long actions (sync, rollback) run in the
// background and answer 202 with an action to follow. The dashboard of a
// later issue hangs off the same mux and reads the same views.
package server
