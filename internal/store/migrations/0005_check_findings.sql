-- The findings of a check run, not only their counts: each one's rule,
-- severity, file, line, message (never a secret: the rules redact what
-- they find) and the rule's doc link, as a JSON array in severity order.
-- At most MaxFindings are kept; findings_total is how many the run had,
-- so a page can say how many more there were. Runs recorded before this
-- migration have no findings and a total of 0.
ALTER TABLE check_runs ADD COLUMN findings {{JSON}} NOT NULL DEFAULT '[]';

ALTER TABLE check_runs ADD COLUMN findings_total INTEGER NOT NULL DEFAULT 0;
