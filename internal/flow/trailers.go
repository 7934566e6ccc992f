package flow

import (
	"strings"

	"ferry.dev/ferry/internal/git"
)

// Trailers ferry writes on every commit it makes, so each is traceable from
// git log alone.
const (
	TrailerPromotion = "Ferry-Promotion" // "develop -> staging"
	TrailerRevision  = "Ferry-Revision"  // the promoted source revision
	TrailerEvidence  = "Ferry-Evidence"  // "check-run:12, deployment:7"
	TrailerOverride  = "Ferry-Override"  // "actor: reason"
	TrailerRelease   = "Ferry-Release"   // "v0.2.0"
	TrailerFinish    = "Ferry-Finish"    // "feature/x -> develop"
	TrailerRollback  = "Ferry-Rollback"  // "v0.2.0"
	TrailerActor     = "Ferry-Actor"
)

// trailerSet builds the common trailers of a lane move.
func (e *Engine) trailerSet(kindKey, kindVal, rev string, evidence []string, override string) []git.Trailer {
	ts := []git.Trailer{{Key: kindKey, Value: kindVal}}
	if rev != "" {
		ts = append(ts, git.Trailer{Key: TrailerRevision, Value: rev})
	}
	if len(evidence) > 0 {
		ts = append(ts, git.Trailer{Key: TrailerEvidence, Value: strings.Join(evidence, ", ")})
	}
	if override != "" {
		ts = append(ts, git.Trailer{Key: TrailerOverride, Value: e.Actor + ": " + override})
	}
	ts = append(ts, git.Trailer{Key: TrailerActor, Value: e.Actor})
	return ts
}
