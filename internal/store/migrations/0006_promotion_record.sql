-- What a promotion or release was judged by and brought:
--   gates     the verdicts flow computed when it moved the lane (name,
--             passed, why, evidence, overridden), a JSON array in the order
--             they were checked
--   changelog a release's changelog section (Markdown), as written into
--             CHANGELOG.md and the tag's message
-- Moves recorded before this migration, and those rebuilt from commit
-- trailers, have [] and ''.
ALTER TABLE promotions ADD COLUMN gates {{JSON}} NOT NULL DEFAULT '[]';

ALTER TABLE promotions ADD COLUMN changelog TEXT NOT NULL DEFAULT '';
