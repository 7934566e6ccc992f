// Package store records check runs, promotions, deployments and the audit
// event log, and holds per-environment locks with an expiry. Two
// implementations share one set of migrations and one contract test suite:
// SQLite (modernc.org/sqlite, the embedded default, under .ferry/) and
// PostgreSQL (pgx). It knows nothing of Git, clusters or ferry.yaml.
package store
