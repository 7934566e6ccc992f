-- When the current holder took the lock (renewals keep it): a deployment
-- that started before its environment lock was last taken belongs to a
-- holder that lost the lock, so MarkAborted ends it even while the new
-- holder runs.
ALTER TABLE locks ADD COLUMN acquired_at {{TIME}};
