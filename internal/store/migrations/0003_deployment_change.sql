-- What each deployment brought to its environment, read from Git when it
-- started, so the DORA metrics are SQL over the store alone:
--   change_kind     change | rollback | hotfix
--   change_commits  commits new to the environment (0: a redeploy)
--   first_commit_at the oldest of those commits (lead time starts here)
-- Deployments recorded before this migration keep NULLs: the DORA report
-- counts them as lacking change data instead of guessing.
ALTER TABLE deployments ADD COLUMN change_kind TEXT CHECK (change_kind IN ('change', 'rollback', 'hotfix'));

ALTER TABLE deployments ADD COLUMN change_commits INTEGER;

ALTER TABLE deployments ADD COLUMN first_commit_at {{TIME}};

-- Set on a change deployment when the next one rolled it back or hotfixed
-- it (rollback | hotfix), written with that next deployment, so the change
-- failure rate needs no window over the history.
ALTER TABLE deployments ADD COLUMN remediated_by TEXT CHECK (remediated_by IN ('rollback', 'hotfix'));
