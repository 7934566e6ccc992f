package agent

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/platform"
)

// Credentials reach Git only through its environment, never its command
// line, so they appear in no process listing, log, error or record.
type Credentials struct {
	// SSHKeyFile is a private key for ssh:// and scp-style remotes.
	SSHKeyFile string
	// Token is an HTTPS token (from FERRY_GIT_TOKEN or a file), sent as
	// an Authorization header.
	Token string
}

func (c Credentials) env() []string {
	var env []string
	if c.SSHKeyFile != "" {
		env = append(env, "GIT_SSH_COMMAND=ssh -i "+shellQuote(c.SSHKeyFile)+" -o IdentitiesOnly=yes -o BatchMode=yes")
	}
	if c.Token != "" {
		basic := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + c.Token))
		env = append(env, "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.extraHeader",
			"GIT_CONFIG_VALUE_0=Authorization: Basic "+basic)
	}
	return env
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// Mirror is the agent's own bare clone of the platform repository. Lanes
// are read from its remote-tracking refs (refs/remotes/origin/*), which a
// fetch refreshes; the local branches follow them, so the workflow engine
// and the deploy engine read the same commits. A person's working tree is
// never touched.
type Mirror struct {
	Dir  string
	Repo *git.Repo
	mu   sync.Mutex // fetches and lane moves
}

// mirrorRemote is the remote name inside the mirror.
const mirrorRemote = "origin"

// OpenMirror clones url into dir (bare) on first use, or reopens it.
func OpenMirror(ctx context.Context, url, dir string, creds Credentials) (*Mirror, error) {
	if _, err := os.Stat(filepath.Join(dir, "HEAD")); err != nil {
		if err := cloneMirror(ctx, url, dir, creds); err != nil {
			return nil, err
		}
	}
	r, err := git.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("open mirror: %w", err)
	}
	r.Env = creds.env()
	return &Mirror{Dir: dir, Repo: r}, nil
}

func cloneMirror(ctx context.Context, url, dir string, creds Credentials) error {
	tmp := dir + ".tmp"
	_ = os.RemoveAll(tmp)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("clone mirror: %w", err)
	}
	boot := &git.Repo{Dir: filepath.Dir(dir), Env: creds.env()}
	if _, err := boot.Run(ctx, "clone", "--bare", "--quiet", "--end-of-options", url, tmp); err != nil {
		return fmt.Errorf("clone mirror: %w", err)
	}
	r := &git.Repo{Dir: tmp}
	if _, err := r.Run(ctx, "config", "remote."+mirrorRemote+".fetch", "+refs/heads/*:refs/remotes/"+mirrorRemote+"/*"); err != nil {
		return fmt.Errorf("clone mirror: %w", err)
	}
	// Rename last: a killed clone leaves only the .tmp dir, removed next time.
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("clone mirror: %w", err)
	}
	return nil
}

// Fetch refreshes lanes and tags from the remote, then moves the local
// branches to the remote's heads.
func (m *Mirror) Fetch(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	// One fetch (one round trip to the remote): lanes as remote-tracking
	// refs (what Head reads) and as local branches (what promotions build
	// on), and tags. The mirror is private, so pruning tags the remote
	// deleted loses nothing of anyone's.
	// Git's own upkeep (packing loose objects) is left to Maintain, off
	// the path from a webhook to a deployment.
	if _, err := m.Repo.Run(ctx, "fetch", "--quiet", "--prune", "--no-tags", "--no-auto-maintenance", "--end-of-options", mirrorRemote,
		"+refs/heads/*:refs/remotes/"+mirrorRemote+"/*", "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"); err != nil {
		return fmt.Errorf("fetch %s: %w", mirrorRemote, err)
	}
	return nil
}

// Maintain runs git's upkeep of the mirror when it is due (git maintenance
// run --auto: packs loose objects past git's thresholds); the poll calls
// it, never a webhook's fetch.
func (m *Mirror) Maintain(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.Repo.Run(ctx, "maintenance", "run", "--auto", "--quiet"); err != nil {
		return fmt.Errorf("maintain the mirror: %w", err)
	}
	return nil
}

// Head returns a lane's commit as of the last fetch ("" with
// git.ErrUnknownRef when the remote has no such branch).
func (m *Mirror) Head(ctx context.Context, lane string) (string, error) {
	return m.Repo.RemoteHead(ctx, mirrorRemote, lane)
}

// Heads returns every lane's commit as of the last fetch; lanes the remote
// lacks are absent.
func (m *Mirror) Heads(ctx context.Context, lanes []string) map[string]string {
	out := map[string]string{}
	all, err := m.Repo.RemoteHeads(ctx, mirrorRemote) // one git process for every lane
	for _, l := range lanes {
		if err != nil {
			if h, herr := m.Head(ctx, l); herr == nil {
				out[l] = h
			}
		} else if h, ok := all[l]; ok {
			out[l] = h
		}
	}
	return out
}

// Platform loads ferry.yaml as committed at rev, rooted at the mirror.
func (m *Mirror) Platform(ctx context.Context, rev string) (*platform.Platform, error) {
	data, ok, err := m.Repo.ReadFile(ctx, rev, platform.FileName)
	if err != nil {
		return nil, fmt.Errorf("read ferry.yaml at %s: %w", short(rev), err)
	}
	if !ok {
		return nil, fmt.Errorf("read ferry.yaml at %s: %w", short(rev), os.ErrNotExist)
	}
	// Paths are checked when the revision is checked out to deploy it; a
	// bare mirror has no files to check them against.
	p, err := platform.Parse(data, platform.FileName, "")
	if err != nil {
		return nil, err
	}
	p.Dir = m.Dir
	return p, nil
}

// Locked runs fn while no fetch or other lane move of the mirror runs:
// the API's promotions, releases and rollbacks take it as the agent's own
// lane moves do.
func (m *Mirror) Locked(fn func() error) error { return m.locked(fn) }

// locked runs fn while no fetch or other lane move runs.
func (m *Mirror) locked(fn func() error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return fn()
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

// FirstLanePlatform loads ferry.yaml at the head of the first lane it
// finds among ferry's default lanes (before any model exists, the lanes are
// not known yet).
func (m *Mirror) FirstLanePlatform(ctx context.Context) (*platform.Platform, error) {
	for _, l := range laneNames(nil) {
		if h, err := m.Head(ctx, l); err == nil {
			p, err := m.Platform(ctx, h)
			if err != nil {
				return nil, err
			}
			if first, err := m.Head(ctx, p.LaneNames()[0]); err == nil && first != h {
				return m.Platform(ctx, first)
			}
			return p, nil
		}
	}
	return nil, fmt.Errorf("the remote has none of the lanes %v", laneNames(nil))
}
