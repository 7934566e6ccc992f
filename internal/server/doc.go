// Package server is ferry serve's HTTP side: /healthz (the process is
// alive), /readyz (store reachable, mirror fetched, role known) and the Git
// host webhooks under /hooks/ (package webhook verifies them; the agent is
// only told to fetch). Handlers are thin; the work happens in the agent.
//
// The API, dashboard and /metrics of later issues hang off the same mux.
package server
