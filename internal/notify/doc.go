// Package notify delivers notifications: what happened (a trigger in an
// environment, at a revision) to the sinks ferry.yaml's notifications rules
// pick — a Slack incoming webhook, a generic webhook signed with
// HMAC-SHA256, and the Git host's commit status (GitHub, GitLab, Gitea; on
// GitHub also a deployment and its status).
//
// A Dispatcher owns a bounded queue and a few workers. Notify only
// enqueues, so a reconcile or a CLI use case never waits on a sink. Each
// delivery is retried with exponential backoff and jitter on network
// errors, 408, 429 (honouring Retry-After) and 5xx; any other answer, or a
// secret that is not set, ends it at once. Every delivery ends in one store
// event, "notification.sent" or "notification.failed" (sink, trigger, env,
// attempts, last error), so the audit log shows what was said and what was
// not. Close drains the queue for a bounded time, then gives up on the rest
// and records each as failed.
//
// Secrets (webhook URLs, HMAC keys, API tokens) are resolved from the
// environment or a file at delivery time and never reach a log line, an
// event or an error: errors name the sink, never the URL, and every text
// recorded has the delivery's secrets replaced by "[redacted]".
//
// It does not decide when something happened: the app layer (sync,
// release, rollback, promote) and the agent (drift, health, auto
// promotion) call Notify where it does.
package notify
