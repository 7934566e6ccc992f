-- Initial schema. Placeholders are replaced per dialect (see dialect.go):
--   {{ID}}   auto-increment primary key
--   {{TIME}} a UTC instant (microseconds)
--   {{JSON}} a JSON document written and read by ferry
-- Statements are separated by a line ending in ";".

CREATE TABLE check_runs (
	id         {{ID}},
	revision   TEXT NOT NULL,
	env        TEXT NOT NULL DEFAULT '',
	passed     BOOLEAN NOT NULL,
	counts     {{JSON}} NOT NULL,
	summary    TEXT NOT NULL DEFAULT '',
	started_at {{TIME}} NOT NULL,
	ended_at   {{TIME}} NOT NULL
);

CREATE INDEX check_runs_revision ON check_runs (revision, started_at);

CREATE TABLE promotions (
	id         {{ID}},
	kind       TEXT NOT NULL,
	from_lane  TEXT NOT NULL DEFAULT '',
	to_lane    TEXT NOT NULL,
	revision   TEXT NOT NULL DEFAULT '',
	commit_sha TEXT NOT NULL DEFAULT '',
	version    TEXT NOT NULL DEFAULT '',
	evidence   {{JSON}} NOT NULL,
	override   TEXT NOT NULL DEFAULT '',
	actor      TEXT NOT NULL DEFAULT '',
	created_at {{TIME}} NOT NULL
);

CREATE INDEX promotions_to ON promotions (to_lane, created_at);

CREATE TABLE deployments (
	id         {{ID}},
	env        TEXT NOT NULL,
	target     TEXT NOT NULL DEFAULT '',
	revision   TEXT NOT NULL,
	version    TEXT NOT NULL DEFAULT '',
	status     TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'aborted')),
	healthy    BOOLEAN NOT NULL DEFAULT FALSE,
	verified   BOOLEAN NOT NULL DEFAULT FALSE,
	summary    TEXT NOT NULL DEFAULT '',
	targets    {{JSON}} NOT NULL,
	inventory  {{JSON}} NOT NULL,
	actor      TEXT NOT NULL DEFAULT '',
	started_at {{TIME}} NOT NULL,
	ended_at   {{TIME}}
);

CREATE INDEX deployments_env ON deployments (env, started_at);

CREATE INDEX deployments_status ON deployments (status);

CREATE TABLE events (
	id      {{ID}},
	at      {{TIME}} NOT NULL,
	kind    TEXT NOT NULL,
	env     TEXT NOT NULL DEFAULT '',
	actor   TEXT NOT NULL DEFAULT '',
	message TEXT NOT NULL DEFAULT '',
	data    TEXT NOT NULL DEFAULT ''
);

CREATE INDEX events_at ON events (at);

CREATE TABLE locks (
	name       TEXT PRIMARY KEY,
	owner      TEXT NOT NULL,
	token      TEXT NOT NULL,
	expires_at {{TIME}} NOT NULL
);
