package store

// The DORA query: one statement that reads the environment's window
// through the deployments_env index once, in index order, with one window
// function (a running count); only the lead-time percentiles sort.

// doraWindow is the filter of the window (three parameters: env, from, to).
const doraWindow = `env = ? AND target = '' AND started_at >= ? AND started_at <= ?`

// doraChanges gives each change deployment of the window (a finished
// deployment that brought a commit, or whose change is unknown): failed,
// it is a change failure (it failed, or the next deployment rolled it back
// or hotfixed it: remediated_by); goods, how many deployments up to it
// were not change failures. The failures of one episode share goods g; the
// deployment that ended it is the only one whose goods is g+1. The window
// runs in index order: no sort.
const doraChanges = `WITH d AS (
	SELECT status, ended_at, change_kind, lead_seconds, remediated_by, failed,
		SUM(1 - failed) OVER (ORDER BY started_at, id ROWS UNBOUNDED PRECEDING) AS goods,
		COALESCE(LAG(failed) OVER (ORDER BY started_at, id), 0) AS prev_failed
	FROM (SELECT id, status, started_at, ended_at, change_kind, lead_seconds, remediated_by,
			CASE WHEN status = 'failed' OR remediated_by IS NOT NULL THEN 1 ELSE 0 END AS failed
		FROM deployments
		WHERE ` + doraWindow + `
			AND status IN ('succeeded', 'failed') AND (change_commits IS NULL OR change_commits > 0)) w
)`

// countIf counts the rows where cond holds (0 over no rows).
func countIf(cond string) string {
	return "COALESCE(SUM(CASE WHEN " + cond + " THEN 1 ELSE 0 END), 0)"
}

// doraCounts: one row of counts over d and over the raw window.
var doraCounts = `, c AS (
	SELECT COUNT(*) AS deployments, ` +
	countIf("status = 'succeeded'") + ` AS succeeded, ` +
	countIf("status = 'failed'") + ` AS failures, ` +
	countIf("remediated_by = 'rollback'") + ` AS rolled_back, ` +
	countIf("remediated_by = 'hotfix'") + ` AS hotfixed, ` +
	countIf("failed = 1") + ` AS change_failures, ` +
	countIf("change_kind = 'rollback'") + ` AS rollbacks, ` +
	countIf("change_kind = 'hotfix'") + ` AS hotfixes, ` +
	countIf("change_kind IS NULL") + ` AS no_data
	FROM d
), o AS (
	SELECT ` + countIf("status IN ('succeeded', 'failed') AND change_commits = 0") + ` AS redeploys, ` +
	countIf("status IN ('running', 'aborted')") + ` AS unfinished
	FROM deployments WHERE ` + doraWindow + `
)`

// percentiles are the sample count and the nearest-rank median and p90 of
// column v of a ranked CTE (rank rn of cnt): the smallest value whose rank
// reaches p% of the samples.
const percentiles = `COUNT(*) AS n, MIN(CASE WHEN rn * 100 >= cnt * 50 THEN v END) AS p50,
	MIN(CASE WHEN rn * 100 >= cnt * 90 THEN v END) AS p90`

// doraLead: the lead times (seconds, written when each deployment
// finished) of succeeded change deployments; a first commit after the
// deployment's end (clock skew) counts as 0.
func (s *sqlStore) doraLead() string {
	return `, lr AS (
	SELECT CASE WHEN lead_seconds < 0 THEN 0 ELSE lead_seconds END AS v,
		CASE WHEN lead_seconds < 0 THEN 1 ELSE 0 END AS skewed,
		ROW_NUMBER() OVER (ORDER BY lead_seconds) AS rn,
		(SELECT COUNT(*) FROM d WHERE status = 'succeeded' AND lead_seconds IS NOT NULL) AS cnt
	FROM d WHERE status = 'succeeded' AND lead_seconds IS NOT NULL
), l AS (
	SELECT ` + percentiles + `, ` + countIf("skewed = 1") + ` AS skewed FROM lr
)`
}

// doraRecovery: an episode runs from the end of its first change failure
// to the end of the next deployment that is not one. Only those two rows
// of each episode matter (where failed differs from the previous row's);
// keyed by goods for a failure and goods-1 for the others, they fall in one
// group (recovered NULL: not yet).
func (s *sqlStore) doraRecovery() string {
	return `, ep AS (
	SELECT MIN(CASE WHEN failed = 1 THEN ended_at END) AS began,
		MIN(CASE WHEN failed = 0 THEN ended_at END) AS recovered
	FROM d WHERE failed <> prev_failed GROUP BY goods - 1 + failed
), rs AS (
	SELECT CASE WHEN recovered IS NULL THEN NULL ELSE ` + s.d.secs("recovered", "began") + ` END AS secs
	FROM ep WHERE began IS NOT NULL
), rr AS (
	SELECT CASE WHEN secs < 0 THEN 0 ELSE secs END AS v, ROW_NUMBER() OVER (ORDER BY secs) AS rn,
		(SELECT COUNT(*) FROM rs WHERE secs IS NOT NULL) AS cnt
	FROM rs WHERE secs IS NOT NULL
), r AS (
	SELECT ` + percentiles + `, (SELECT COUNT(*) FROM rs WHERE secs IS NULL) AS open FROM rr
)`
}

// doraSQL is the whole statement: one row of every figure.
func (s *sqlStore) doraSQL() string {
	return doraChanges + doraCounts + s.doraLead() + s.doraRecovery() + ` SELECT
	c.deployments, c.succeeded, c.failures, c.rolled_back, c.hotfixed, c.change_failures, c.rollbacks,
	c.hotfixes, c.no_data, o.redeploys, o.unfinished,
	l.n, l.skewed, l.p50, l.p90, r.n, r.open, r.p50, r.p90
	FROM c, o, l, r`
}
