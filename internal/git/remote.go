package git

import (
	"context"
	"fmt"
	"strings"
)

// HasRemote reports whether a remote of that name is configured. The URL is
// never read: it may carry credentials.
func (r *Repo) HasRemote(ctx context.Context, name string) (bool, error) {
	out, err := r.Run(ctx, "remote")
	if err != nil {
		return false, fmt.Errorf("list remotes: %w", err)
	}
	for _, n := range strings.Fields(out) {
		if n == name {
			return true, nil
		}
	}
	return false, nil
}

// Fetch updates refs/remotes/<remote>/* and tags from the remote. It never
// overwrites a local tag (git refuses to clobber one).
func (r *Repo) Fetch(ctx context.Context, remote string) error {
	if err := ValidateRefName(remote); err != nil {
		return fmt.Errorf("fetch: remote: %w", err)
	}
	// Branches with --prune; tags without it (a pruned tags refspec would
	// delete the user's local-only tags).
	spec := "+refs/heads/*:refs/remotes/" + remote + "/*"
	if _, err := r.Run(ctx, "fetch", "--quiet", "--prune", "--no-tags", "--end-of-options", remote, spec); err != nil {
		return fmt.Errorf("fetch %s: %w", remote, err)
	}
	if _, err := r.Run(ctx, "fetch", "--quiet", "--no-tags", "--end-of-options", remote, "refs/tags/*:refs/tags/*"); err != nil {
		return fmt.Errorf("fetch tags from %s: %w", remote, err)
	}
	return nil
}

// RemoteHead returns the commit of refs/remotes/<remote>/<branch> as of the
// last fetch (ErrUnknownRef if the remote has no such branch).
func (r *Repo) RemoteHead(ctx context.Context, remote, branch string) (string, error) {
	out, err := r.Run(ctx, "rev-parse", "--verify", "--quiet", "refs/remotes/"+remote+"/"+branch+"^{commit}")
	if err != nil {
		return "", &RefError{Ref: remote + "/" + branch, Err: ErrUnknownRef, Msg: "no such branch on remote " + remote}
	}
	return strings.TrimSpace(out), nil
}

// RemoteHeads returns the commit of every branch of remote as its
// remote-tracking refs hold them, from one git process.
func (r *Repo) RemoteHeads(ctx context.Context, remote string) (map[string]string, error) {
	prefix := "refs/remotes/" + remote + "/"
	out, err := r.Run(ctx, "for-each-ref", "--format=%(objectname) %(refname)", prefix)
	if err != nil {
		return nil, fmt.Errorf("read the branches of %s: %w", remote, err)
	}
	heads := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if sha, ref, ok := strings.Cut(line, " "); ok {
			heads[strings.TrimPrefix(ref, prefix)] = sha
		}
	}
	return heads, nil
}

// RefUpdate is one ref change of an atomic update or push. Old "" means the
// ref must not exist yet; New "" deletes it.
type RefUpdate struct {
	Ref string // full ref name: refs/heads/main, refs/tags/v1.0.0
	New string
	Old string
}

// Push sends updates to remote atomically (all or none) and never forces:
// the remote accepts only fast-forwards and new refs, so a lane that moved
// meanwhile or a tag that exists gives an error wrapping ErrNonFastForward.
// unchanged is true when the remote already had every ref at its new value
// (another process pushed the identical commits first).
func (r *Repo) Push(ctx context.Context, remote string, updates []RefUpdate) (unchanged bool, err error) {
	if err := ValidateRefName(remote); err != nil {
		return false, fmt.Errorf("push: remote: %w", err)
	}
	args := []string{"push", "--atomic", "--porcelain", "--no-verify", "--end-of-options", remote}
	for _, u := range updates {
		args = append(args, u.New+":"+u.Ref) // New "" deletes the ref
	}
	out, err := r.Run(ctx, args...)
	if err == nil {
		return allUpToDate(out, len(updates)), nil
	}
	if rejected := pushRejections(out + "\n" + err.Error()); len(rejected) > 0 {
		return false, &RefError{Ref: strings.Join(rejected, ", "), Err: ErrNonFastForward,
			Msg: "rejected by " + remote + " (it moved or the tag exists); nothing was pushed"}
	}
	return false, fmt.Errorf("push to %s: %w", remote, err)
}

// allUpToDate reports whether git push --porcelain flagged all n refs "=".
func allUpToDate(out string, n int) bool {
	same := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "=\t") {
			same++
		}
	}
	return n > 0 && same == n
}

// pushRejections extracts rejected refs from git push --porcelain output.
func pushRejections(out string) []string {
	var refs []string
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "!\t") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) >= 2 {
			_, dst, _ := strings.Cut(f[1], ":")
			refs = append(refs, dst)
		}
	}
	if len(refs) == 0 && (strings.Contains(out, "[rejected]") || strings.Contains(out, "non-fast-forward") || strings.Contains(out, "fetch first")) {
		refs = append(refs, "remote refs")
	}
	return refs
}

// UpdateRefs applies updates in one local transaction: every ref moves
// from its Old to its New, or none does (ErrNonFastForward).
func (r *Repo) UpdateRefs(ctx context.Context, updates []RefUpdate, reason string) error {
	var b strings.Builder
	b.WriteString("start\n")
	for _, u := range updates {
		if u.New == "" {
			fmt.Fprintf(&b, "delete %s %s\n", u.Ref, u.Old)
		} else if u.Old == "" {
			fmt.Fprintf(&b, "create %s %s\n", u.Ref, u.New)
		} else {
			fmt.Fprintf(&b, "update %s %s %s\n", u.Ref, u.New, u.Old)
		}
	}
	b.WriteString("prepare\ncommit\n")
	if _, err := r.RunStdin(ctx, []byte(b.String()), "update-ref", "-m", reason, "--stdin"); err != nil {
		names := make([]string, len(updates))
		for i, u := range updates {
			names[i] = u.Ref
		}
		return &RefError{Ref: strings.Join(names, ", "), Err: ErrNonFastForward, Msg: "moved concurrently; nothing was changed: " + err.Error()}
	}
	return nil
}
