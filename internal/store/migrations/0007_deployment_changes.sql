-- What a deployment changed, object by object: for a Kubernetes component
-- each object created, configured (with the changed field paths, never
-- their values), unchanged or pruned; for a Terraform component each
-- resource address with its planned action. A JSON array, changes before
-- unchanged objects, at most MaxChanges; changes_total is how many there
-- were. Deployments recorded before this migration have [] and 0.
ALTER TABLE deployments ADD COLUMN changes {{JSON}} NOT NULL DEFAULT '[]';

ALTER TABLE deployments ADD COLUMN changes_total INTEGER NOT NULL DEFAULT 0;
