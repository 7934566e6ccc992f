// Package webhook receives push webhooks from Git hosts and turns each
// verified delivery into a hint for the agent.
//
// It owns:
//   - the HTTP receiver (Receiver) that routes /hooks/{provider} for GitHub,
//     GitLab, Gitea (also Forgejo and Gogs), Bitbucket Server/Data Center and
//     a generic signed sender;
//   - verifying each delivery against the shared secret over the raw body
//     (HMAC-SHA256, or GitLab's token compared in constant time) before any
//     byte of it is parsed, with the body size bounded first;
//   - parsing the payload into the refs that were pushed (Push), dropping ref
//     names that are not full, printable "refs/..." names;
//   - answering redelivered delivery IDs without calling the sink again, and
//     counting every outcome (Stats).
//
// A push is only a hint. ferry never trusts a SHA, a branch tip or anything
// else from a payload: the agent fetches the repository and reads the refs
// itself, so a replayed or forged-but-signed delivery can at worst make it
// look sooner. That is also why the delivery-ID dedup is a saving, not a
// defence: hosts do not sign their headers, only the body.
//
// A Push with no Refs (the generic sender's "something changed") means
// "check every lane".
//
// It does not reconcile, fetch, or decide which lanes a ref maps to: the sink
// only enqueues, and the agent's reconciler does the work.
package webhook
