// Package app is ferry's use-case layer: the operations both the command
// line and the agent (ferry serve) perform — status, sync, plan,
// rollback-then-sync, validate-and-record, promote, release, approve — and
// the one place that opens the store and builds the engines (flow, deploy)
// with one actor rule and one structured logger.
//
// It owns composition, not behaviour: workflow rules live in package flow,
// deployments in package deploy, records in package store. It prints
// nothing; callers (the CLI's writers, the agent's logs and events) present
// the results.
package app
