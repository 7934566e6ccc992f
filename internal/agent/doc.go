// Package agent is ferry's long-running reconciler (ferry serve): it keeps
// a private mirror of the platform repository, watches every lane (a
// jittered poll, and webhooks as hints), and keeps each environment equal
// to its lane through one work queue keyed by environment — auto-sync,
// out-of-sync reporting, drift on an interval and on watches of the managed
// Kubernetes objects (detect or heal), and auto-promotion when gates pass.
// One process leads at a time (a lease in the store); followers answer
// health checks and pass webhooks to the leader through the store.
//
// It owns scheduling and bookkeeping only: every sync, plan and promotion
// goes through package app, exactly as the command line runs them, and
// every outcome is recorded in the store. HTTP lives in package server.
package agent
