package flow

import (
	"context"
	"fmt"
	"strings"

	"ferry.dev/ferry/internal/git"
)

// publish lands ref updates. Locally: one compare-and-swap transaction,
// refused up front if a moved branch is checked out with local changes.
// With a remote: one atomic, non-force push (the remote is the source of
// truth), then the local branches follow. Either way each ref ends at its
// old or its new value. Returned notes tell the user what was left alone.
func (e *Engine) publish(ctx context.Context, updates []git.RefUpdate, reason string) ([]string, error) {
	if len(updates) == 0 {
		return nil, nil
	}
	if e.beforePublish != nil {
		e.beforePublish()
	}
	if e.Remote == "" {
		return e.publishLocal(ctx, updates, reason)
	}
	crashPoint("before-push")
	unchanged, err := e.Repo.Push(ctx, e.Remote, updates)
	if err != nil {
		return nil, err
	}
	if unchanged {
		// Another run pushed the identical commit first: it is that run's
		// lane move, not ours. Re-planning finds the lane up to date.
		return nil, &git.RefError{Ref: updates[0].Ref, Err: git.ErrNonFastForward, Msg: "already published by another run"}
	}
	crashPoint("pushed")
	return e.followRemote(ctx, updates, reason)
}

func (e *Engine) publishLocal(ctx context.Context, updates []git.RefUpdate, reason string) ([]string, error) {
	for _, u := range updates {
		if b, ok := branchOf(u.Ref); ok && u.New != "" {
			if err := e.Repo.CheckCheckouts(ctx, b, u.Old, u.New); err != nil {
				return nil, err
			}
		}
	}
	crashPoint("before-update")
	if err := e.Repo.UpdateRefs(ctx, updates, reason); err != nil {
		return nil, err
	}
	crashPoint("updated")
	var notes []string
	for _, u := range updates {
		if b, ok := branchOf(u.Ref); ok && u.Old != "" && u.New != "" {
			n, err := e.Repo.SyncCheckouts(ctx, b, u.Old, u.New)
			if err != nil {
				return notes, err
			}
			notes = append(notes, n...)
		}
	}
	return notes, nil
}

// followRemote moves local branches and tags to what was just pushed:
// created if absent, fast-forwarded if behind (with a clean checkout
// updated too), and otherwise left alone with a note.
func (e *Engine) followRemote(ctx context.Context, updates []git.RefUpdate, reason string) ([]string, error) {
	var notes []string
	for _, u := range updates {
		b, isBranch := branchOf(u.Ref)
		if !isBranch {
			if u.New == "" {
				continue
			}
			if ok, _ := e.Repo.RefExists(ctx, u.Ref); !ok {
				if err := e.Repo.UpdateRef(ctx, u.Ref, u.New, "", reason); err != nil {
					notes = append(notes, fmt.Sprintf("local %s not created: %v", u.Ref, err))
				}
			}
			continue
		}
		if u.New == "" {
			continue // remote branch deletions leave the local branch to its owner
		}
		n, err := e.followBranch(ctx, b, u.New, reason)
		if err != nil {
			return notes, err
		}
		if n != "" {
			notes = append(notes, n)
		}
	}
	return notes, nil
}

func (e *Engine) followBranch(ctx context.Context, b, newRev, reason string) (string, error) {
	cur, err := e.Repo.BranchHead(ctx, b)
	if err != nil {
		// No local branch: nothing to follow; the remote-tracking ref has it.
		return "", nil
	}
	if cur == newRev {
		return "", nil
	}
	behind, err := e.Repo.IsAncestor(ctx, cur, newRev)
	if err != nil {
		return "", err
	}
	if !behind {
		return fmt.Sprintf("local %s has commits that are not on %s; left at %s", b, e.Remote, shortID(cur)), nil
	}
	if err := e.Repo.CheckCheckouts(ctx, b, cur, newRev); err != nil {
		return fmt.Sprintf("local %s left at %s: %v (run git merge --ff-only %s/%s there when ready)", b, shortID(cur), err, e.Remote, b), nil
	}
	if err := e.Repo.UpdateRef(ctx, "refs/heads/"+b, newRev, cur, reason); err != nil {
		return fmt.Sprintf("local %s moved meanwhile; left as is", b), nil
	}
	notes, err := e.Repo.SyncCheckouts(ctx, b, cur, newRev)
	return strings.Join(notes, "; "), err
}

func branchOf(ref string) (string, bool) {
	return strings.CutPrefix(ref, "refs/heads/")
}

// catchUp fast-forwards the local branch of lane to the remote's head when
// ferry finds the lane already where it should be (e.g. a run that was
// killed after pushing): the next run leaves the clone as a full run would.
func (e *Engine) catchUp(ctx context.Context, lane string) []string {
	if e.Remote == "" {
		return nil
	}
	head, err := e.branchHead(ctx, lane)
	if err != nil {
		return nil
	}
	n, err := e.followBranch(ctx, lane, head, "ferry: catch up "+lane)
	if err != nil {
		return []string{err.Error()}
	}
	if n != "" {
		return []string{n}
	}
	return nil
}
