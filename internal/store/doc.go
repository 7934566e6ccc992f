// Package store records check runs, promotions, deployments and the audit
// event log, and holds per-environment locks with an expiry. Two
// implementations share one set of migrations and one contract test suite:
// SQLite (modernc.org/sqlite, the embedded default, under .ferry/) and
// PostgreSQL (pgx). It knows nothing of Git, clusters or ferry.yaml.
//
// Open with Open(ctx, "sqlite"|"postgres", pathOrDSN), OpenSQLite or
// OpenPostgres; each migrates the database before returning.
//
// Schema: migrations/NNNN_name.sql, embedded, applied in order in one
// transaction and recorded in schema_migrations. The few dialect
// differences are placeholders ({{ID}}, {{TIME}}, {{JSON}}) mapped in
// dialect.go; queries are written once with "?" parameters.
//
// Time: every instant is stored and returned in UTC with microsecond
// precision (PostgreSQL's). Zero timestamps given to a write default to the
// store clock, Options.Now (the Go clock by default). Lock expiry is judged
// with that same clock, never the database's: processes sharing a
// PostgreSQL server need synchronised clocks.
//
// Concurrency: SQLite runs in WAL mode with a busy timeout and starts every
// transaction with BEGIN IMMEDIATE, so ferry processes sharing one file queue
// for the write lock instead of failing. Locks change by single statements
// that compare before they write (expiry on acquire, token on renew and
// release). FinishDeployment only updates a running row, so a deployment is
// finished once; MarkAborted ends running deployments whose environment
// lock (EnvLockName) is free, expired, or was taken again after they
// started, so a killed process never leaves a deployment running forever.
//
// Secrets: errors name a PostgreSQL server by RedactDSN (host, port, user,
// database) and never carry its password.
package store
