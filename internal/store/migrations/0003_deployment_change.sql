-- What each deployment brought to its environment, read from Git when it
-- started, so the DORA metrics are SQL over the store alone:
--   change_kind     change | rollback | hotfix
--   change_commits  commits new to the environment (0: a redeploy)
--   first_commit_at the oldest of those commits (lead time starts here)
--   lead_seconds    ended_at - first_commit_at, written when it finishes
-- Deployments recorded before this migration keep NULLs: the DORA report
-- counts them as lacking change data instead of guessing.
ALTER TABLE deployments ADD COLUMN change_kind TEXT CHECK (change_kind IN ('change', 'rollback', 'hotfix'));

ALTER TABLE deployments ADD COLUMN change_commits INTEGER;

ALTER TABLE deployments ADD COLUMN first_commit_at {{TIME}};

ALTER TABLE deployments ADD COLUMN lead_seconds {{FLOAT}};

-- Set on a change deployment when the next one rolled it back or hotfixed
-- it (rollback | hotfix), written with that next deployment, so the change
-- failure rate needs no window over the history.
ALTER TABLE deployments ADD COLUMN remediated_by TEXT CHECK (remediated_by IN ('rollback', 'hotfix'));

-- The DORA query reads an environment's window of whole-environment
-- deployments in start order; this index holds every column it reads, so
-- the scan never visits the table and the running count needs no sort.
CREATE INDEX deployments_dora ON deployments (env, target, started_at, id, status, ended_at, change_kind,
	change_commits, lead_seconds, remediated_by);
