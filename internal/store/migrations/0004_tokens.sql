-- API tokens of ferry serve (ferry token create|list|revoke). Only the
-- SHA-256 of a token is kept (hash, hex): the token itself is shown once
-- and never stored. role is viewer | deployer | admin; envs is a JSON array
-- of the environments a token may act on ([] = all). A revoked token keeps
-- its row (who had access, until when); its name may be reused.
CREATE TABLE tokens (
	id           {{ID}},
	name         TEXT NOT NULL,
	hash         TEXT NOT NULL UNIQUE,
	role         TEXT NOT NULL CHECK (role IN ('viewer', 'deployer', 'admin')),
	envs         {{JSON}} NOT NULL,
	created_at   {{TIME}} NOT NULL,
	last_used_at {{TIME}},
	revoked_at   {{TIME}}
);

CREATE UNIQUE INDEX tokens_active_name ON tokens (name) WHERE revoked_at IS NULL;

-- The API's reads of one environment's newest events of a kind (the
-- agent's last outcome, drift), in the order Events lists them.
CREATE INDEX events_env_kind ON events (env, kind, at, id);

-- An environment's newest deployment of a status (the last successful
-- one, what runs there), in the order Deployments lists them.
CREATE INDEX deployments_env_status ON deployments (env, status, started_at, id);
